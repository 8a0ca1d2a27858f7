-- A materialization run's partitions are ranges of a 63-bit hash of the entity's external id
-- (store/sql/entityPartition.ts). These indexes, ordered by the hash and then the row id, let a
-- partition read its own entities in keyset pages instead of hashing the whole table.
CREATE INDEX "app_user_partition_hash_idx" ON "app_user" ((hashtextextended("external_id", 0) & 9223372036854775807), "id");
CREATE INDEX "item_partition_hash_idx" ON "item" ((hashtextextended("external_id", 0) & 9223372036854775807), "id");
