/* Console behaviour shared by every page (kept small; htmx does the rest). */
