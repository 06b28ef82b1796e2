-- Delivery of the outbox by the mail worker (`server/src/mail.rs`): how many times a message
-- was tried, when it may be tried next (a worker that claims it moves this past its handover,
-- so no two workers send it), and why the last try failed.
ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_try_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
CREATE INDEX outbox_due ON outbox (sent_at, next_try_at);
