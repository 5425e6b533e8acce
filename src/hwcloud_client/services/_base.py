"""What every service client is built on: the model bases (:class:`ApiModel`, :class:`RequestModel`,
:class:`ResultModel`), secrets in models, :class:`Service` and :func:`paginate`.

The generated clients (``services/_generated.py``) turn keyword arguments into the request and the response into
a result; everything else (endpoint, project/domain ids, signing, retries, errors) is the core client's job.
Iterators over paginated operations are derived from the list method with :func:`paginate`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Concatenate, ParamSpec, TypeVar, cast

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    PlainSerializer,
    PrivateAttr,
    SecretStr,
    ValidationError,
)
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError, core_schema

from .._paging import AsyncPager, PagingDialect, Params
from .._response import Response, ResponseInfo
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

    from ._cloud import Cloud

__all__ = [
    "ApiModel",
    "DefaultPageSize",
    "RequestModel",
    "ResultModel",
    "SecretInput",
    "SentSecret",
    "Service",
    "paginate",
    "response_info",
]

ServiceT = TypeVar("ServiceT", bound="Service")
PageT = TypeVar("PageT")
ItemT = TypeVar("ItemT")
P = ParamSpec("P")


class ApiModel(BaseModel):
    """Base of response models, and of request models through :class:`RequestModel`.

    ``extra="allow"``: a field the server adds tomorrow is kept (``model_extra``), never an error.
    ``populate_by_name``: Huawei spellings (``OS-EXT-STS:vm_state``, ``hostId``) are aliases, and
    the Python names work too. ``defer_build``: schemas are built on first use, not at import.
    ``hide_input_in_errors``: a validation error must not echo a token or secret key.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True, hide_input_in_errors=True)


class ResultModel(ApiModel):
    """Base of what an operation returns: it carries the call's request id and how it was answered.

    ``_request_id`` (openai-python's spelling) and ``_response_info`` (see :func:`response_info`) are never in
    dumps, and private so that no Huawei field can clash with them. Only results have them: pydantic sets up
    private attributes for every instance, and a page of 100 servers holds thousands of nested models.
    """

    _request_id: str | None = PrivateAttr(default=None)
    _response_info: ResponseInfo | None = PrivateAttr(default=None)

    def _answered_by(self, response: Response) -> None:
        self._request_id = response.request_id
        self._response_info = response.info()


def _accepted_spellings(name: str, field: FieldInfo) -> tuple[str, ...]:
    """The keys validation already reads into a field: its name, its alias, its validation aliases."""
    found = [name]
    if field.alias is not None:
        found.append(field.alias)
    choices = field.validation_alias
    for choice in choices.choices if isinstance(choices, AliasChoices) else [choices]:
        if isinstance(choice, str):
            found.append(choice)
    return tuple(dict.fromkeys(found))


class RequestModel(ApiModel):
    """Base of request models: built with the Python names, sent with Huawei's (``serialization_alias``).

    Huawei's spelling is accepted on input too (``PrePaidServer(**{"imageRef": ...})``, a body copied from
    Huawei's docs) and validated exactly like the Python name; as an unknown key it would have become an
    unchecked extra, sent as-is and shown by ``repr`` even for a secret. Both spellings of one field at once
    is an error, not a silent pick. A key that spells no field is still kept as an extra.

    The constructor's parameters stay the Python names (``serialization_alias`` is invisible to type
    checkers). Huawei's spelling is the field's ``validation_alias``, so JSON is read natively; the check for a
    field given twice is a Python step on Python input only. Models never sent are plain :class:`ApiModel`.
    """

    # An error names the field as the constructor does, whichever spelling was given.
    model_config = ConfigDict(loc_by_alias=False)

    # Huawei spelling -> (field name, the spellings validation already accepts for that field).
    _huawei_spellings: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        accepted = {name: _accepted_spellings(name, field) for name, field in cls.model_fields.items()}
        taken = {spelling for spellings in accepted.values() for spelling in spellings}
        cls._huawei_spellings = {
            field.serialization_alias: (name, accepted[name])
            for name, field in cls.model_fields.items()
            # A serialization alias that is some field's accepted spelling already is left to pydantic.
            if field.serialization_alias is not None and field.serialization_alias not in taken
        }

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type[BaseModel], handler: GetCoreSchemaHandler) -> CoreSchema:
        # Here, not at class creation: pydantic collects the fields again when it resolves forward references.
        fields = cls.__pydantic_fields__
        for huawei, (name, _) in cls._huawei_spellings.items():
            # Read natively, the Python name through populate_by_name: validating JSON runs no Python.
            fields[name].validation_alias = huawei
        schema = handler(source)
        if not cls._huawei_spellings:
            return schema
        # Only Python input (what users build) can give a field twice; JSON (a response) skips the check, and with
        # it the dict pydantic would otherwise build of that part of the document for a Python step.
        checked = core_schema.no_info_before_validator_function(cls._refuse_double_spellings, schema)
        return core_schema.json_or_python_schema(json_schema=schema, python_schema=checked)

    @classmethod
    def _refuse_double_spellings(cls, data: Any) -> Any:
        spellings = cls._huawei_spellings
        if not isinstance(data, Mapping) or spellings.keys().isdisjoint(data.keys()):
            return data
        conflicts: list[InitErrorDetails] = []
        for huawei, (name, accepted) in spellings.items():
            given = [spelling for spelling in accepted if spelling in data]
            if huawei in data and given:
                conflicts.append(
                    InitErrorDetails(
                        type=PydanticCustomError(
                            "spelled_twice",
                            "{given}= and {huawei}= are the same field; pass one of them",
                            {"given": given[0], "huawei": huawei},
                        ),
                        loc=(name,),
                        # The two keys, never their values: one of them may be a secret.
                        input=(given[0], huawei),
                    )
                )
        if conflicts:
            raise ValidationError.from_exception_data(cls.__name__, conflicts, hide_input=True)
        return data


def _reveal(secret: SecretStr) -> str:
    return secret.get_secret_value()


SentSecret = Annotated[SecretStr, PlainSerializer(_reveal, return_type=str, when_used="json")]
"""A secret in a request body: masked in ``repr`` and ``model_dump()``, the real value in the JSON sent."""

if TYPE_CHECKING:
    SecretInput = SecretStr | str
else:
    SecretInput = SentSecret
"""A :data:`SentSecret` that type checkers let users pass as a plain ``str`` (validated into a ``SecretStr``)."""


def response_info(result: ResultModel) -> ResponseInfo:
    """Status, headers, request id, attempts and elapsed time of the call that returned ``result``.

    >>> flavors = await cloud.ecs.list_flavors()
    >>> hw.response_info(flavors).attempts
    """
    info = result._response_info
    if info is None:
        raise ConfigurationError(
            f"this {type(result).__name__} was not returned by a call (built or copied by hand): it has no response"
        )
    return info


def _first_problem(error: ValidationError) -> str:
    # Location and message only: pydantic's full text can quote the body, which may hold a secret.
    first = error.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "the body"
    return f"{where}: {first['msg']} ({error.error_count()} problem(s) in all)"


class Service:
    """Base of a typed service client bound to one facade (:class:`~hwcloud_client.AsyncHuaweiCloud`)."""

    service_name: ClassVar[str]

    def __init__(self, cloud: Cloud) -> None:
        self._cloud = cloud

    def __repr__(self) -> str:
        return f"{type(self).__name__}(region={self._cloud.region!r})"


@dataclass(frozen=True, slots=True)
class DefaultPageSize:
    """Ask for ``size`` items per page unless the caller chose a page size.

    Some APIs (Keystone ``page``/``per_page``) ignore the page number without a page size and
    return the whole list every time, which would make an iterator repeat it forever.
    """

    dialect: PagingDialect
    size_param: str
    size: int

    def first(self, params: Params) -> Params:
        if params.get(self.size_param) is None:
            params = {**params, self.size_param: self.size}
        return self.dialect.first(params)

    def next(self, params: Params, page: Any, items: Sequence[Any]) -> Params | None:
        return self.dialect.next(params, page, items)


def paginate(
    list_method: Callable[Concatenate[ServiceT, P], Awaitable[PageT]],
    *,
    items: Callable[[PageT], Sequence[ItemT]],
    dialect: PagingDialect,
) -> Callable[Concatenate[ServiceT, P], AsyncPager[PageT, ItemT]]:
    """A pager over every item of every page, with the list method's own keyword arguments.

    ``list_servers_details`` → ``iter_servers_details``, ``keystone_list_projects`` →
    ``iter_keystone_list_projects``: assign the result to a class attribute of exactly that name.
    The dialect moves the page argument (``offset``, ``page``, ``marker``) from page to page; the
    :class:`~hwcloud_client.AsyncPager` also goes page by page and resumes from a continuation token.
    """
    name = "iter_" + list_method.__name__.removeprefix("list_")
    fetch_page = cast(Callable[..., Awaitable[PageT]], list_method)
    signature = inspect.signature(list_method)
    accepts = frozenset(signature.parameters) - {"self"}

    def iterate(self: ServiceT, /, *args: P.args, **kwargs: P.kwargs) -> AsyncPager[PageT, ItemT]:
        if args:
            raise TypeError(f"{name}() takes keyword arguments only")
        return AsyncPager(lambda params: fetch_page(self, **params), items, dialect, dict(kwargs), accepts=accepts)

    # Introspection (IDEs, help(), the blocking twin) shows the list method's keyword arguments.
    iterate.__signature__ = signature.replace(  # type: ignore[attr-defined]
        return_annotation="AsyncPager"
    )
    iterate.__name__ = name
    iterate.__qualname__ = list_method.__qualname__.rsplit(".", 1)[0] + "." + name
    iterate.__doc__ = f"Every item of every page of :meth:`{list_method.__name__}`, fetched page by page."
    return iterate
