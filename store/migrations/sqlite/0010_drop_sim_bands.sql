-- Stories are found by one range scan over fingerprinted items (0009), so
-- the four 16-bit band columns of 0004 are no longer written or read.
ALTER TABLE items DROP COLUMN sim_band0;
ALTER TABLE items DROP COLUMN sim_band1;
ALTER TABLE items DROP COLUMN sim_band2;
ALTER TABLE items DROP COLUMN sim_band3;
