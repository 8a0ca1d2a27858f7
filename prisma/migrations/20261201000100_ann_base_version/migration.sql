-- A published version whose vectors are, but for a few entities, those of an earlier version is
-- searched through that version's HNSW indexes (ann_base_version_id) plus an exact scan of the
-- entities whose vector differs (ann_delta_keys), instead of building indexes of its own
-- (store/featureSets/versions.ts, store/sql/searchFeatureVectors.ts). NULL: the version has its
-- own indexes, or no vectors.
ALTER TABLE "feature_set_version" ADD COLUMN "ann_base_version_id" INTEGER,
ADD COLUMN "ann_delta_keys" TEXT[];

-- AddForeignKey
ALTER TABLE "feature_set_version" ADD CONSTRAINT "feature_set_version_ann_base_version_id_fkey" FOREIGN KEY ("ann_base_version_id") REFERENCES "feature_set_version"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
