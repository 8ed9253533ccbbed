"""One page of a long list, its number read from the query through a bounded form."""

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
    items: "_SupportsPagination[T]", query: QueryDict, *, per_page: int, param: str = "page"
) -> Page[T]:
    """The page `query[param]` names; the first page when it names none or nonsense."""
    form = PageForm({"page": query.get(param)})
    number = form.cleaned_data["page"] if form.is_valid() else 1
    return Paginator(items, per_page).get_page(number)
