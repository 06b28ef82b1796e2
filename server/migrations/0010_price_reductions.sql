-- Which prices were announced as reductions ("sale": crossed-out prior price, percentage).
-- An ordinary price change (the import's history, a correction) is never shown as a reduction;
-- one marked here is, if the 30-day prior-price rule allows it (`pricing::history`).
ALTER TABLE price_history ADD COLUMN announced BIGINT NOT NULL DEFAULT 0;
