"""One page of a long list, its number read from the query through a bounded form."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.core.paginator import Page, Paginator
from django.http import QueryDict

if TYPE_CHECKING:
    from django.core.paginator import _SupportsPagination  # a protocol of the stubs only

# Far past any real list; the paginator shows its last page for a number beyond the end.
MAX_PAGE = 100_000


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE)


def page_of[T](
    items: "_SupportsPagination[T]",
    query: QueryDict,
    *,
    per_page: int,
    param: str = "page",
    count: int | None = None,
) -> Page[T]:
    """The page `query[param]` names; the first page when it names none or nonsense.
    `count`: how many items there are, when the caller counted them already (no COUNT query)."""
    form = PageForm({"page": query.get(param)})
    number = form.cleaned_data["page"] if form.is_valid() else 1
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is never computed
    return paginator.get_page(number)


@dataclass(frozen=True)
class Latest[T]:
    """The newest items of a long list (its first page) or an earlier page of it, so a page
    showing the list costs the same at ten items and at ten thousand. `items` is in the order
    shown; `param` is the query parameter that names the page."""

    page: Page[T]
    items: list[T]
    param: str


def latest[T](
    newest_first: "_SupportsPagination[T]",
    query: QueryDict,
    *,
    per_page: int,
    param: str,
    oldest_first: bool = False,
    count: int | None = None,
) -> Latest[T]:
    """The page of `newest_first` that `query[param]` names (the newest when none), shown
    oldest first when `oldest_first` (a conversation reads down to its last message)."""
    page = page_of(newest_first, query, per_page=per_page, param=param, count=count)
    items = list(page.object_list)
    if oldest_first:
        items.reverse()
    return Latest(page=page, items=items, param=param)
