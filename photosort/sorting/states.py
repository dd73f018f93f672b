"""The journal's vocabulary: run kinds and states, file-operation kinds and states."""

# Run states; journal entries share DONE, FAILED and UNDONE. A run is live while its process
# holds its lock (journal.RunLock).
RUNNING, UNDOING = "running", "undoing"
DONE, DRY_RUN, CANCELLED, FAILED = "done", "dry-run", "cancelled", "failed"
INTERRUPTED, UNDONE = "interrupted", "undone"

# Journal entries (FileOp.op). DECIDE marks a photo whose decision was fully carried out.
COPY, REMOVE, RESTORE, MKDIR, DECIDE = "copy", "remove", "restore", "mkdir", "decide"
# DERIVE: a copy whose bytes were made from the original (faces blurred): its entry holds the
# written bytes' hash and size, which undo and recovery check instead of the original's.
DERIVE = "derive"
COPY_OPS = (COPY, DERIVE)  # entries that put a file into a category's folder
PENDING = "pending"
PLACEHOLDER = "placeholder"  # a pending copy's error while it reserves its name (files.publish)
KEPT = "kept"  # a copy undo left in place because it was changed
HELD = "held"  # a copy undo left in place because it was the last copy of its photo (survivors.py)

SORT_KINDS = ("sort", "watch")  # runs that decide where photos go (their rules say "already sorted")
REVIEW = "review"  # a correction made while reviewing what a category received
RUN_KINDS = (*SORT_KINDS, REVIEW)  # the runs this package makes, recovers, undoes and lists
