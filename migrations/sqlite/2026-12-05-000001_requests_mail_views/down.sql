DROP INDEX leads_by_submitted;
DROP INDEX leads_by_waiting;
ALTER TABLE leads DROP COLUMN waiting_order;
ALTER TABLE leads DROP COLUMN submitted_order;
ALTER TABLE leads DROP COLUMN waiting_since;
DROP TABLE saved_views;
DROP TABLE email_outbox;
DROP TABLE documents;
DROP TABLE lead_requests;
