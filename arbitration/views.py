from django.shortcuts import render

from accounts.access import arbiter_required


@arbiter_required
def queue(request):
    """Escalated disputes waiting for a ruling (filled by the arbitration issue)."""
    return render(request, "arbitration/queue.html", {"cases": []})
