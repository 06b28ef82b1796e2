-- The two funnel steps `events` does not hold: a visit to the store and a look at the checkout
-- page. The dashboard's funnel reads them beside the product views, cart adds and purchases in
-- `events` (visit -> product view -> add to cart -> checkout -> purchase).
--
-- One row per visitor, step and UTC day (`day` = unix seconds / 86400, a BIGINT like every
-- other time here): the funnel counts distinct visitors per period of whole days, so a second
-- page in the same day adds nothing, and the primary key lets the batched writer insert with
-- ON CONFLICT DO NOTHING on both engines. Recorded only for visitors who may be profiled (the
-- same rule as `events`: never crawlers, `Sec-GPC: 1` or the personalisation off switch).
CREATE TABLE funnel_steps (
    visitor_id TEXT NOT NULL,
    step       TEXT NOT NULL CHECK (step IN ('visit', 'checkout')),
    day        BIGINT NOT NULL,
    PRIMARY KEY (visitor_id, step, day)
);
-- The dashboard reads a range of days per step.
CREATE INDEX funnel_steps_day ON funnel_steps (step, day);
