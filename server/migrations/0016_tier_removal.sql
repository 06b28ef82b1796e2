-- Removing a member tier (2026-12-04). Coupons name their tier by a foreign key and orders name
-- their coupon, so a removed tier's row stays, marked here: it is no longer listed, offered for
-- new coupons or honoured at checkout, and adding a tier of that name again brings it back.
-- A tier is only removed while no coupon for it can still be used (`promotions::tiers`).
ALTER TABLE member_tiers ADD COLUMN removed_at BIGINT;
