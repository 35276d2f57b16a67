-- The audit log is append-only, enforced by the database as the history is: no path, raw SQL included, can
-- change or remove who did what. (Point 5 of issue 8.)
create trigger audit_event_append_only before update or delete on audit_event
  for each row execute function history_is_append_only();
-- A truncate fires no row trigger: refused by a statement trigger of its own.
create trigger audit_event_no_truncate before truncate on audit_event
  for each statement execute function history_is_append_only();
