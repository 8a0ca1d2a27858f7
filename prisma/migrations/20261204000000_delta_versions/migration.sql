-- Delta versions: a version made incrementally stores only the rows of the entities it
-- recomputed (or carried from the previous delta) and names a full version whose rows it has
-- for every other entity (row_base_version_id). The rows of version V are V's own rows plus the
-- row base's rows of the entities V has none of (store/sql/versionRows.ts). A row base is always
-- a full version (row_base_version_id NULL): chains are one deep. NULL: V's rows are all its own.
ALTER TABLE "feature_set_version" ADD COLUMN "row_base_version_id" INTEGER;

-- AddForeignKey
ALTER TABLE "feature_set_version" ADD CONSTRAINT "feature_set_version_row_base_version_id_fkey" FOREIGN KEY ("row_base_version_id") REFERENCES "feature_set_version"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
