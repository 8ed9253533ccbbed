from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import arbiter_required
from disputes.deadlines import deadline_extend, deadline_pause, deadline_resume
from disputes.models import RUNNING_STATUSES, Deadline, Dispute
from orders.errors import ActionRefused

from .forms import ClockChangeForm


@arbiter_required
def queue(request):
    """Escalated disputes waiting for a ruling (filled by the arbitration work)."""
    return render(request, "arbitration/queue.html", {"cases": []})


@arbiter_required
def case_clocks(request, dispute_ref: str):
    """Staff extend or pause a dispute's clocks, with a reason both parties see."""
    dispute = get_object_or_404(Dispute.objects.select_related("order"), reference=dispute_ref)
    form = ClockChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        deadline = get_object_or_404(
            Deadline, pk=request.POST.get("deadline"), dispute=dispute, status__in=RUNNING_STATUSES
        )
        data = form.cleaned_data
        change = {
            "extend": lambda: deadline_extend(
                deadline=deadline, actor=request.user, hours=data["hours"], reason=data["reason"]
            ),
            "pause": lambda: deadline_pause(
                deadline=deadline, actor=request.user, reason=data["reason"]
            ),
            "resume": lambda: deadline_resume(
                deadline=deadline, actor=request.user, reason=data["reason"]
            ),
        }[data["action"]]
        try:
            change()
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Done. Both parties were told, with your reason.")
            return redirect("arbitration:case_clocks", dispute_ref=dispute.reference)
    clocks = dispute.deadlines.filter(status__in=RUNNING_STATUSES).order_by("due_at")
    context = {"dispute": dispute, "clocks": clocks, "form": form}
    return render(request, "arbitration/clocks.html", context)
