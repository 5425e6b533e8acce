"""A local Huawei Cloud emulator for tests and demos."""
