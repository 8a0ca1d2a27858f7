-- A published version whose vectors are, but for a few entities, those of an earlier version is
-- searched through that version's HNSW indexes (ann_base_version_id) plus an exact scan of the
-- entities whose vector differs (ann_delta_keys), instead of building indexes of its own
-- (store/featureSets/versions.ts, store/sql/searchFeatureVectors.ts). NULL: the version has its
-- own indexes, or no vectors.
--
-- ann_ip_norm: the largest vector norm M of the version when its inner-product index was built.
-- That index is over x' = [x, sqrt(M^2 - |x|^2)], vectors of one norm, searched with q' = [q, 0]:
-- q'.x' = q.x, and HNSW navigates equal-norm vectors well, where over raw vectors of varying
-- norm its inner-product graph found a tenth of the true top 10 (npm run bench -- ann).
ALTER TABLE "feature_set_version" ADD COLUMN "ann_base_version_id" INTEGER,
ADD COLUMN "ann_delta_keys" TEXT[],
ADD COLUMN "ann_ip_norm" DOUBLE PRECISION;

-- AddForeignKey
ALTER TABLE "feature_set_version" ADD CONSTRAINT "feature_set_version_ann_base_version_id_fkey" FOREIGN KEY ("ann_base_version_id") REFERENCES "feature_set_version"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
