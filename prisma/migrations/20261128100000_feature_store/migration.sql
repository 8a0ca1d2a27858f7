-- Feature store core: a feature set records the feature schema its next version will use;
-- each version keeps its own copy in feature_set_version.schema, so an incompatible change to
-- the definition never touches a version that exists already.

-- AlterTable
ALTER TABLE "feature_set" ADD COLUMN "features" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- A readable version (published or deprecated) always has its publication time: point-in-time
-- reads compare it with the requested timestamp.
ALTER TABLE "feature_set_version" ADD CONSTRAINT "feature_set_version_published_at_check"
    CHECK ("status" IN ('pending', 'failed') OR "published_at" IS NOT NULL);
