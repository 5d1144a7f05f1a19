-- Accounts and sessions. Messages never live here: they live in the users'
-- and groups' Durable Objects.

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,          -- lower case
  display_name TEXT NOT NULL,
  about TEXT NOT NULL DEFAULT '',
  last_seen_visibility TEXT NOT NULL DEFAULT 'everyone',
  password_hash TEXT NOT NULL,            -- base64 PBKDF2-SHA256 output
  password_salt TEXT NOT NULL,            -- base64, 16 random bytes
  password_iterations INTEGER NOT NULL,
  avatar_etag TEXT,                       -- set while the user has a picture in R2
  created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  device TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE INDEX sessions_by_user ON sessions(user_id);
