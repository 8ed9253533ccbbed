"""The URL namespaces whose pages compose several apps.

An app's own urls.py lists the pages it serves alone. Here each such list is joined by the pages
of this floor that belong to the same namespace, so every URL keeps the name and the path that
templates, emails and tests reverse (`orders:buyer_order_detail`, `disputes:seller_list`) while
no app below imports the one above it.
"""
