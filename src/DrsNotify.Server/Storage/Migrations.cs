using Microsoft.Data.Sqlite;

namespace DrsNotify.Server.Storage;

/// <summary>
/// Versioned schema migrations. Each version runs once, in its own transaction, in order;
/// the applied versions are recorded in <c>schema_migrations</c>. Append new versions, never
/// edit an applied one.
/// </summary>
/// <remarks>Times are stored as INTEGER milliseconds since the Unix epoch (UTC).</remarks>
public static class Migrations
{
    public static readonly IReadOnlyList<(int Version, string Name, string Sql)> All =
    [
        (1, "identity, jobs, notification settings", """
            CREATE TABLE accounts (
                id          TEXT PRIMARY KEY,
                name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
                created_at  INTEGER NOT NULL
            );

            CREATE TABLE projects (
                id          TEXT PRIMARY KEY,
                account_id  TEXT NOT NULL REFERENCES accounts(id),
                name        TEXT NOT NULL,
                region      TEXT NOT NULL,
                created_at  INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX projects_account_name ON projects(account_id, name COLLATE NOCASE);

            CREATE TABLE users (
                id             TEXT PRIMARY KEY,
                account_id     TEXT NOT NULL REFERENCES accounts(id),
                name           TEXT NOT NULL,
                password_hash  TEXT NOT NULL,
                created_at     INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX users_account_name ON users(account_id, name COLLATE NOCASE);

            CREATE TABLE user_projects (
                user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                project_id  TEXT NOT NULL REFERENCES projects(id),
                PRIMARY KEY (user_id, project_id)
            );

            CREATE TABLE revoked_tokens (
                token_id    TEXT PRIMARY KEY,
                expires_at  INTEGER NOT NULL,
                revoked_at  INTEGER NOT NULL
            );

            CREATE TABLE jobs (
                project_id        TEXT NOT NULL REFERENCES projects(id),
                id                TEXT NOT NULL,
                name              TEXT NOT NULL,
                description       TEXT NOT NULL DEFAULT '',
                engine_type       TEXT NOT NULL,
                db_use_type       TEXT NOT NULL,
                task_type         TEXT NOT NULL,
                job_direction     TEXT NOT NULL,
                status            TEXT NOT NULL,
                return_status     TEXT,
                start_time        INTEGER,
                source_endpoint   TEXT,
                target_endpoint   TEXT,
                create_time       INTEGER NOT NULL,
                update_time       INTEGER NOT NULL,
                alarm_change_id   INTEGER,
                delay_ms          INTEGER,
                delay_observed_at INTEGER,
                rpo_ms            INTEGER,
                rpo_observed_at   INTEGER,
                rto_ms            INTEGER,
                rto_observed_at   INTEGER,
                last_report_at    INTEGER,
                PRIMARY KEY (project_id, id)
            );
            CREATE UNIQUE INDEX jobs_live_name ON jobs(project_id, name COLLATE NOCASE) WHERE status <> 'DELETED';
            CREATE INDEX jobs_by_create_time ON jobs(project_id, create_time);

            CREATE TABLE job_reports (
                seq          INTEGER PRIMARY KEY,
                project_id   TEXT NOT NULL,
                job_id       TEXT NOT NULL,
                received_at  INTEGER NOT NULL,
                observed_at  INTEGER NOT NULL,
                status       TEXT,
                delay_ms     INTEGER,
                rpo_ms       INTEGER,
                rto_ms       INTEGER
            );
            CREATE INDEX job_reports_by_job ON job_reports(project_id, job_id, observed_at);

            -- One row per settings change: what was set, by whom, through which request. A
            -- request that sets the same settings on 100 jobs writes one row here.
            CREATE TABLE notification_changes (
                id          INTEGER PRIMARY KEY,
                project_id  TEXT NOT NULL,
                changed_at  INTEGER NOT NULL,
                request_id  TEXT NOT NULL,
                operation   TEXT NOT NULL,
                user_id     TEXT NOT NULL,
                user_name   TEXT NOT NULL,
                access_key  TEXT,
                settings    TEXT NOT NULL,
                language    TEXT NOT NULL
            );

            -- The audit log: one row per job and change, with the change that set the job's
            -- previous settings (NULL for the first) and the row's place in the job's history
            -- (1 for the first). jobs.alarm_change_id names the newest row, and each row names
            -- the one before it, so a job's history is a chain. Rows are keyed by change first:
            -- new rows append at the end of the table instead of landing on one page per job.
            CREATE TABLE notification_audit (
                change_id           INTEGER NOT NULL,
                project_id          TEXT NOT NULL,
                job_id              TEXT NOT NULL,
                previous_change_id  INTEGER,
                position            INTEGER NOT NULL,
                PRIMARY KEY (change_id, project_id, job_id)
            ) WITHOUT ROWID;
            """),

        // Version numbers need not be consecutive: Apply runs the list in order and records
        // each version it applies.
        (3, "access keys", """
            CREATE TABLE access_keys (
                access_key    TEXT PRIMARY KEY,
                user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                secret_key    TEXT NOT NULL,
                created_at    INTEGER NOT NULL,
                last_used_at  INTEGER,
                enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
            );
            CREATE INDEX access_keys_by_user ON access_keys(user_id);
            """),
        (4, "per-user token cutoffs", """
            -- Tokens of the user issued at or before valid_after (Unix milliseconds) are rejected.
            -- The table has no foreign key, so that the row outlives a deleted user.
            CREATE TABLE token_cutoffs (
                user_id      TEXT PRIMARY KEY,
                valid_after  INTEGER NOT NULL
            );
            """),
        (5, "delivery outbox", """
            -- One row per message and recipient, written in the same transaction as the alarm
            -- state change that caused it; the dispatcher leases due rows and sends them.
            CREATE TABLE outbox (
                id               INTEGER PRIMARY KEY,
                project_id       TEXT NOT NULL,
                job_id           TEXT,
                alarm_id         INTEGER,
                purpose          TEXT NOT NULL,
                channel          TEXT NOT NULL,
                recipient        TEXT NOT NULL,
                language         TEXT NOT NULL,
                subject          TEXT NOT NULL,
                body             TEXT NOT NULL,
                dedup_key        TEXT NOT NULL,
                event_key        TEXT NOT NULL,
                state            TEXT NOT NULL DEFAULT 'pending',
                attempts         INTEGER NOT NULL DEFAULT 0,
                next_attempt_at  INTEGER NOT NULL,
                lease_owner      TEXT,
                lease_until      INTEGER,
                last_error       TEXT,
                created_at       INTEGER NOT NULL,
                delivered_at     INTEGER
            );
            CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
            CREATE INDEX outbox_by_alarm ON outbox(alarm_id);
            """),
        (6, "alarm episodes", """
            -- One row per alarm episode: a run of one alarm kind on one job, from firing to
            -- resolved or closed. outbox.alarm_id points here. Values and thresholds are
            -- milliseconds; resolved_notice_due_at is set while a resolved notice is held back
            -- so that an alarm that fires again within the group interval sends no notice.
            CREATE TABLE alarm_episodes (
                id                      INTEGER PRIMARY KEY,
                project_id              TEXT NOT NULL,
                job_id                  TEXT NOT NULL,
                kind                    TEXT NOT NULL,
                episode                 INTEGER NOT NULL,
                dedup_key               TEXT NOT NULL UNIQUE,
                state                   TEXT NOT NULL CHECK (state IN ('firing', 'resolved', 'closed')),
                since_at                INTEGER NOT NULL,
                opened_at               INTEGER NOT NULL,
                resolved_at             INTEGER,
                resolved_notice_due_at  INTEGER,
                closed_at               INTEGER,
                close_reason            TEXT,
                last_notified_at        INTEGER,
                notices                 INTEGER NOT NULL DEFAULT 0,
                repeats                 INTEGER NOT NULL DEFAULT 0,
                value_ms                INTEGER,
                threshold_ms            INTEGER,
                job_status              TEXT NOT NULL,
                language                TEXT NOT NULL,
                recipients_from         TEXT NOT NULL CHECK (recipients_from IN ('subscriptions', 'topic')),
                topic_urn               TEXT,
                UNIQUE (project_id, job_id, kind, episode)
            );
            -- At most one open episode (firing, or resolved with its notice held) per job and kind.
            CREATE UNIQUE INDEX alarm_episodes_open ON alarm_episodes(project_id, job_id, kind)
                WHERE state = 'firing' OR resolved_notice_due_at IS NOT NULL;
            CREATE INDEX alarm_episodes_by_project ON alarm_episodes(project_id, id);
            CREATE INDEX alarm_episodes_by_job ON alarm_episodes(project_id, job_id, id);
            """),
        (7, "captured messages", """
            -- Capture mode's inbox: one row per message that the dispatcher stored instead of
            -- sending. outbox_id is the delivery id of the outbox row it came from.
            CREATE TABLE captured_messages (
                id           INTEGER PRIMARY KEY,
                outbox_id    INTEGER NOT NULL,
                project_id   TEXT NOT NULL,
                job_id       TEXT,
                channel      TEXT NOT NULL,
                recipient    TEXT NOT NULL,
                language     TEXT NOT NULL,
                subject      TEXT NOT NULL,
                body         TEXT NOT NULL,
                dedup_key    TEXT NOT NULL,
                event_key    TEXT NOT NULL,
                captured_at  INTEGER NOT NULL
            );
            CREATE INDEX captured_messages_by_recipient ON captured_messages(recipient);
            CREATE INDEX captured_messages_by_job ON captured_messages(job_id);
            """),
        (8, "topics and subscriptions", """
            -- SMN-compatible topics. urn is urn:smn:{region of the project}:{project_id}:{name},
            -- unique across projects because it contains the project id.
            CREATE TABLE topics (
                id            INTEGER PRIMARY KEY,
                project_id    TEXT NOT NULL,
                name          TEXT NOT NULL,
                urn           TEXT NOT NULL UNIQUE,
                display_name  TEXT NOT NULL DEFAULT '',
                created_at    INTEGER NOT NULL,
                updated_at    INTEGER NOT NULL,
                UNIQUE (project_id, name)
            );

            -- One row per subscription; status 0 unconfirmed, 1 confirmed, 3 cancelled. A
            -- cancelled row stays so that the list shows why an endpoint gets nothing.
            -- endpoint_key is the endpoint lower-cased for e-mail and as given otherwise; it
            -- finds an earlier subscription of the same endpoint. token_hash is the hex SHA-256
            -- of the confirmation token, which is never stored itself.
            CREATE TABLE topic_subscriptions (
                id                INTEGER PRIMARY KEY,
                urn               TEXT NOT NULL UNIQUE,
                topic_id          INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
                project_id        TEXT NOT NULL,
                protocol          TEXT NOT NULL CHECK (protocol IN ('email', 'sms', 'http', 'https')),
                endpoint          TEXT NOT NULL,
                endpoint_key      TEXT NOT NULL,
                remark            TEXT NOT NULL DEFAULT '',
                status            INTEGER NOT NULL CHECK (status IN (0, 1, 3)),
                token_hash        TEXT UNIQUE,
                token_expires_at  INTEGER,
                created_at        INTEGER NOT NULL,
                confirmed_at      INTEGER,
                cancelled_at      INTEGER
            );
            CREATE INDEX topic_subscriptions_by_topic ON topic_subscriptions(topic_id, status);
            CREATE UNIQUE INDEX topic_subscriptions_active ON topic_subscriptions(topic_id, protocol, endpoint_key)
                WHERE status IN (0, 1);

            -- One row per published message; its outbox rows carry message_id as dedup key.
            CREATE TABLE topic_messages (
                id            INTEGER PRIMARY KEY,
                message_id    TEXT NOT NULL UNIQUE,
                topic_id      INTEGER NOT NULL,
                project_id    TEXT NOT NULL,
                request_id    TEXT NOT NULL,
                subject       TEXT,
                message       TEXT NOT NULL,
                recipients    INTEGER NOT NULL,
                published_at  INTEGER NOT NULL
            );
            """),
        (9, "job settings pointers out of the jobs rows", """
            -- Each job's current notification settings: the newest change of its history. It
            -- replaces jobs.alarm_change_id, so that a commit of settings for many jobs writes a
            -- few narrow pages here instead of one wide jobs page per job. The update_time of a
            -- job is read as the later of jobs.update_time and that change's changed_at.
            CREATE TABLE job_notification_settings (
                project_id  TEXT NOT NULL,
                job_id      TEXT NOT NULL,
                change_id   INTEGER NOT NULL,
                PRIMARY KEY (project_id, job_id)
            ) WITHOUT ROWID;
            INSERT INTO job_notification_settings (project_id, job_id, change_id)
                SELECT project_id, id, alarm_change_id FROM jobs WHERE alarm_change_id IS NOT NULL;
            ALTER TABLE jobs DROP COLUMN alarm_change_id;
            """),
    ];

    public static void Apply(SqliteConnection connection, TimeProvider time, ILogger logger)
    {
        Database.Execute(connection, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     INTEGER PRIMARY KEY,
                name        TEXT NOT NULL,
                applied_at  INTEGER NOT NULL
            );
            """);

        var applied = new HashSet<long>();
        using (var command = connection.Command("SELECT version FROM schema_migrations", null))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                applied.Add(reader.GetInt64(0));
            }
        }

        var newest = All.Max(migration => migration.Version);
        if (applied.Count > 0 && applied.Max() > newest)
        {
            throw new InvalidOperationException(
                $"The database has schema version {applied.Max()}, newer than this server's {newest}. Upgrade the server.");
        }

        foreach (var (version, name, sql) in All)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            using var transaction = connection.BeginTransaction(deferred: false);
            Database.Execute(connection, sql, transaction);
            connection.Exec(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t)",
                transaction,
                ("$v", version), ("$n", name), ("$t", time.GetUtcNow().ToUnixTimeMilliseconds()));
            transaction.Commit();
            logger.LogInformation("Applied schema migration {Version} ({Name})", version, name);
        }
    }
}
