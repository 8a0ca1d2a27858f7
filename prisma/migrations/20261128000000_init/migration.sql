-- pgvector: modality embeddings and feature vectors.
CREATE EXTENSION IF NOT EXISTS vector;

-- CreateEnum
CREATE TYPE "entity_type" AS ENUM ('user', 'item');

-- CreateEnum
CREATE TYPE "field_type" AS ENUM ('numeric', 'categorical', 'tags', 'text', 'boolean', 'date');

-- CreateEnum
CREATE TYPE "feature_set_kind" AS ENUM ('raw', 'embedding', 'synthesized');

-- CreateEnum
CREATE TYPE "version_status" AS ENUM ('pending', 'published', 'deprecated', 'failed');

-- CreateEnum
CREATE TYPE "run_status" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "materialization_mode" AS ENUM ('full', 'incremental');

-- CreateEnum
CREATE TYPE "scheduled_task" AS ENUM ('train', 'materialize');

-- CreateEnum
CREATE TYPE "api_scope" AS ENUM ('read', 'ingest', 'admin');

-- CreateTable
CREATE TABLE "metadata_field" (
    "id" SERIAL NOT NULL,
    "entity_type" "entity_type" NOT NULL,
    "name" TEXT NOT NULL,
    "type" "field_type" NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "metadata_field_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "app_user" (
    "id" BIGSERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "item" (
    "id" BIGSERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event" (
    "id" BIGSERIAL NOT NULL,
    "event_key" TEXT NOT NULL,
    "client_event_id" TEXT,
    "user_id" BIGINT NOT NULL,
    "item_id" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL,
    "context" JSONB,
    "ingested_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "modality" (
    "id" SERIAL NOT NULL,
    "entity_type" "entity_type" NOT NULL,
    "name" TEXT NOT NULL,
    "model_name" TEXT NOT NULL,
    "dimension" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "modality_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "modality_dimension_check" CHECK ("dimension" BETWEEN 1 AND 16000)
);

-- CreateTable
CREATE TABLE "embedding" (
    "id" BIGSERIAL NOT NULL,
    "modality_id" INTEGER NOT NULL,
    "user_id" BIGINT,
    "item_id" BIGINT,
    "vector" vector NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embedding_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "embedding_one_entity_check" CHECK (("user_id" IS NULL) <> ("item_id" IS NULL))
);

-- CreateTable
CREATE TABLE "feature_set" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "entity_type" "entity_type" NOT NULL,
    "kind" "feature_set_kind" NOT NULL,
    "owner" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "ttl_seconds" INTEGER,
    "source" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feature_set_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feature_set_version" (
    "id" SERIAL NOT NULL,
    "feature_set_id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "schema" JSONB NOT NULL,
    "status" "version_status" NOT NULL DEFAULT 'pending',
    "row_count" INTEGER NOT NULL DEFAULT 0,
    "statistics" JSONB,
    "model_version_id" INTEGER,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(6),
    "deprecated_at" TIMESTAMPTZ(6),

    CONSTRAINT "feature_set_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feature_value" (
    "version_id" INTEGER NOT NULL,
    "entity_key" TEXT NOT NULL,
    "values" JSONB NOT NULL DEFAULT '{}',
    "vector" vector,
    "valid_from" TIMESTAMPTZ(6) NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feature_value_pkey" PRIMARY KEY ("version_id","entity_key")
);

-- CreateTable
CREATE TABLE "data_snapshot" (
    "id" SERIAL NOT NULL,
    "row_counts" JSONB NOT NULL,
    "event_watermark" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_snapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "training_run" (
    "id" SERIAL NOT NULL,
    "status" "run_status" NOT NULL DEFAULT 'queued',
    "config" JSONB NOT NULL,
    "seed" INTEGER NOT NULL,
    "code_version" TEXT NOT NULL,
    "backend" TEXT,
    "metrics" JSONB,
    "epochs" JSONB NOT NULL DEFAULT '[]',
    "size_changes" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "data_snapshot_id" INTEGER,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "training_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_version" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "config" JSONB NOT NULL,
    "artifacts" JSONB NOT NULL,
    "weights" BYTEA NOT NULL,
    "metrics" JSONB,
    "training_run_id" INTEGER,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "materialization_run" (
    "id" SERIAL NOT NULL,
    "feature_set_version_id" INTEGER NOT NULL,
    "model_version_id" INTEGER,
    "mode" "materialization_mode" NOT NULL,
    "status" "run_status" NOT NULL DEFAULT 'queued',
    "rows_total" INTEGER NOT NULL DEFAULT 0,
    "rows_done" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "materialization_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "materialization_partition" (
    "run_id" INTEGER NOT NULL,
    "partition" INTEGER NOT NULL,
    "status" "run_status" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "rows" INTEGER NOT NULL DEFAULT 0,
    "worker" TEXT,
    "error" TEXT,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "materialization_partition_pkey" PRIMARY KEY ("run_id","partition")
);

-- CreateTable
CREATE TABLE "lineage_edge" (
    "id" BIGSERIAL NOT NULL,
    "from_kind" TEXT NOT NULL,
    "from_id" INTEGER NOT NULL,
    "to_kind" TEXT NOT NULL,
    "to_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lineage_edge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedule" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "task" "scheduled_task" NOT NULL,
    "feature_set_id" INTEGER,
    "args" JSONB NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "last_run_at" TIMESTAMPTZ(6),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" SERIAL NOT NULL,
    "team" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "scopes" "api_scope"[],
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(6),
    "revoked_at" TIMESTAMPTZ(6),

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "metadata_field_entity_type_name_key" ON "metadata_field"("entity_type", "name");

-- CreateIndex
CREATE UNIQUE INDEX "app_user_external_id_key" ON "app_user"("external_id");

-- CreateIndex
CREATE UNIQUE INDEX "item_external_id_key" ON "item"("external_id");

-- CreateIndex
CREATE UNIQUE INDEX "event_event_key_key" ON "event"("event_key");

-- CreateIndex
CREATE INDEX "event_user_id_occurred_at_idx" ON "event"("user_id", "occurred_at");

-- CreateIndex
CREATE INDEX "event_item_id_occurred_at_idx" ON "event"("item_id", "occurred_at");

-- CreateIndex
CREATE INDEX "event_occurred_at_idx" ON "event"("occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "modality_entity_type_name_key" ON "modality"("entity_type", "name");

-- CreateIndex
CREATE UNIQUE INDEX "embedding_modality_id_user_id_key" ON "embedding"("modality_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "embedding_modality_id_item_id_key" ON "embedding"("modality_id", "item_id");

-- CreateIndex
CREATE UNIQUE INDEX "feature_set_name_key" ON "feature_set"("name");

-- CreateIndex
CREATE UNIQUE INDEX "feature_set_version_feature_set_id_version_key" ON "feature_set_version"("feature_set_id", "version");

-- CreateIndex
CREATE INDEX "feature_value_entity_key_valid_from_idx" ON "feature_value"("entity_key", "valid_from");

-- CreateIndex
CREATE UNIQUE INDEX "model_version_name_version_key" ON "model_version"("name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "lineage_edge_from_kind_from_id_to_kind_to_id_key" ON "lineage_edge"("from_kind", "from_id", "to_kind", "to_id");

-- CreateIndex
CREATE INDEX "lineage_edge_to_kind_to_id_idx" ON "lineage_edge"("to_kind", "to_id");

-- CreateIndex
CREATE UNIQUE INDEX "schedule_name_key" ON "schedule"("name");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_prefix_key" ON "api_key"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_key_hash_key" ON "api_key"("key_hash");

-- AddForeignKey
ALTER TABLE "event" ADD CONSTRAINT "event_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event" ADD CONSTRAINT "event_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "item"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "embedding" ADD CONSTRAINT "embedding_modality_id_fkey" FOREIGN KEY ("modality_id") REFERENCES "modality"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "embedding" ADD CONSTRAINT "embedding_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "embedding" ADD CONSTRAINT "embedding_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "item"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feature_set_version" ADD CONSTRAINT "feature_set_version_feature_set_id_fkey" FOREIGN KEY ("feature_set_id") REFERENCES "feature_set"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feature_set_version" ADD CONSTRAINT "feature_set_version_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feature_value" ADD CONSTRAINT "feature_value_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "feature_set_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "training_run" ADD CONSTRAINT "training_run_data_snapshot_id_fkey" FOREIGN KEY ("data_snapshot_id") REFERENCES "data_snapshot"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_version" ADD CONSTRAINT "model_version_training_run_id_fkey" FOREIGN KEY ("training_run_id") REFERENCES "training_run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "materialization_run" ADD CONSTRAINT "materialization_run_feature_set_version_id_fkey" FOREIGN KEY ("feature_set_version_id") REFERENCES "feature_set_version"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "materialization_run" ADD CONSTRAINT "materialization_run_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_version"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "materialization_partition" ADD CONSTRAINT "materialization_partition_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "materialization_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedule" ADD CONSTRAINT "schedule_feature_set_id_fkey" FOREIGN KEY ("feature_set_id") REFERENCES "feature_set"("id") ON DELETE CASCADE ON UPDATE CASCADE;
