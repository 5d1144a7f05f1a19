-- Linked devices and blocked users (issue 10). 0001 is never edited.

-- When a session was last used (an authenticated request or socket), written
-- at most every few minutes; NULL until then (its creation time counts).
ALTER TABLE sessions ADD COLUMN last_active_at INTEGER;

-- Who blocked whom. The blocker's user object is the authority (it drops the
-- blocked user's messages); this copy lets the Worker hide the blocker's
-- profile picture from the blocked user in one query over many profiles.
CREATE TABLE blocks (
  blocker TEXT NOT NULL,
  blocked TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (blocker, blocked)
) WITHOUT ROWID;

CREATE INDEX blocks_by_blocked ON blocks(blocked);
