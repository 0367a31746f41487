#!/usr/bin/env python3
"""gen-archive: pmarchive's own deterministic generator of synthetic postmortem archives.

Usage:
  python3 bench/gen-archive.py --count N --seed S --out DIR
                               [--restricted-fraction F] [--draft-fraction F] [--force] [--quiet]

Writes N postmortems as DIR/<year>/<YYYY-MM-DD>-<slug>.md in the archive's format (TOML front
matter between +++ lines, then the eight standard sections). The same --count and --seed always
give the same bytes (Python 3.8+, standard library only).

Every postmortem belongs to a hidden incident class (about N/8 classes, of very unequal sizes).
The members of a class share most of their contributing factors and services, and the phrases
that describe their failure (what set it off, the error responders saw, one sentence of cause,
how it was mitigated); about half of a class's later members name an earlier one in
recurrence_of. The ground truth is written beside DIR as DIR/../<name of DIR>.classes.tsv, a
header line "id<TAB>class" then one line per postmortem (drafts and restricted ones included):
the similarity benchmarks (bench/similar_eval.py) and tests judge links against it.

--draft-fraction / --restricted-fraction mark that share of postmortems status = "draft" /
visibility = "restricted", drawn from a random stream of their own, so everything else about
every postmortem stays the same whatever the fractions.
--force replaces a non-empty DIR, but only one that holds nothing but year folders.
"""
import argparse
import datetime as dt
import os
import random
import re
import shutil
import sys
import time

HEADINGS = ["Summary", "Timeline", "Impact", "Root cause and contributing factors",
            "What went well", "What went poorly", "Lessons learned", "Action items"]

# ------------------------------------------------------------------------------ vocabulary
# Services: (name, owning team, what a customer does with it).
SERVICES = [
    ("storefront", "web", "browse the shop"), ("web-frontend", "web", "load pages"),
    ("checkout", "payments", "finish checkout"), ("payments-api", "payments", "pay"),
    ("card-vault", "payments", "save a card"), ("billing", "payments", "see their bills"),
    ("refunds", "payments", "request refunds"), ("ledger", "payments", "see balances"),
    ("login", "identity", "sign in"), ("sessions", "identity", "stay signed in"),
    ("sso-bridge", "identity", "sign in through SSO"), ("accounts", "identity", "manage accounts"),
    ("search", "discovery", "search"), ("search-indexer", "discovery", "find new items"),
    ("recommender", "discovery", "get recommendations"), ("catalog", "commerce", "browse items"),
    ("prices", "commerce", "see prices"), ("stock", "commerce", "see availability"),
    ("basket", "commerce", "fill a basket"), ("orders", "commerce", "place orders"),
    ("delivery-quotes", "logistics", "get delivery quotes"), ("dispatch", "logistics", "ship orders"),
    ("notifier", "messaging", "get notifications"), ("mailer", "messaging", "get emails"),
    ("sms-relay", "messaging", "get SMS codes"), ("push-gateway", "messaging", "get push alerts"),
    ("edge-cache", "network", "load images and scripts"), ("public-api", "network", "call the API"),
    ("ingress", "network", "reach the site"), ("mesh", "network", "call internal services"),
    ("resolver", "network", "resolve names"), ("event-bus", "data", "publish events"),
    ("stream-processor", "data", "see live dashboards"), ("warehouse", "data", "run reports"),
    ("scheduler", "data", "run exports"), ("orders-db", "storage", "save orders"),
    ("hot-cache", "storage", "get fast pages"), ("blob-store", "storage", "upload files"),
    ("thumbnailer", "media", "see thumbnails"), ("transcoder", "media", "watch videos"),
    ("flags", "platform", "see consistent features"), ("settings-service", "platform", "deploy"),
    ("cluster-api", "platform", "scale services"), ("build-farm", "devtools", "run builds"),
    ("release-train", "devtools", "ship changes"), ("metrics", "observability", "read dashboards"),
    ("log-shipper", "observability", "search logs"), ("app-backend", "mobile", "use the app"),
]
TEAM = {s: t for s, t, _ in SERVICES}
DOES = {s: a for s, _, a in SERVICES}
NAMES = [s for s, _, _ in SERVICES]
REGIONS = ["eu-north-1", "eu-west-3", "us-east-2", "us-west-1", "ap-south-1", "ap-east-1", "ca-central-1"]
STORES = ["PostgreSQL", "MariaDB", "Redis", "ScyllaDB", "OpenSearch", "CockroachDB", "Valkey"]
TECH = ["Kubernetes", "Envoy", "nginx", "Traefik", "Linkerd", "gRPC", "OpenTofu", "Nomad", "Vault",
        "Kafka", "NATS", "CoreDNS", "etcd", "Prometheus", "Thanos", "Loki", "Flux", "Tekton",
        "Buildkite", "the JVM", "Go", "Python", "OpenSSL", "cert-manager", "Memcached", "PgBouncer"]
TAGS = ["deploy", "database", "network", "security", "customer-facing", "tooling", "data-loss",
        "latency", "availability", "correctness", "mobile", "batch", "vendor", "observability",
        "capacity", "tls"]
GIVEN = ["ada", "bo", "caro", "dev", "emre", "flo", "gita", "hugo", "ines", "jun", "kai", "lea",
         "milo", "nour", "oli", "pia", "rafa", "sol", "teo", "ula", "vera", "wiki", "yan", "zoe"]
FAMILY = ["abe", "brandt", "cho", "diaz", "eng", "fry", "gale", "holm", "ivers", "juhl", "kaur",
          "lund", "mora", "nakai", "oduya", "park", "quist", "reyes", "stein", "tran"]
TABLES = ["orders", "payments", "customers", "logins", "invoices", "parcels", "items", "price_lists",
          "audit_events", "baskets", "refunds", "accounts", "coupons", "addresses"]
COLUMNS = ["tenant", "created", "state", "currency_code", "external_id", "modified", "zone",
           "amount", "archived_at", "score", "batch", "language"]
SETTINGS = ["pool_size", "timeout_ms", "max_inflight", "retry_limit", "rps_limit", "ttl_s",
            "keepalive_s", "threads", "chunk_size", "breaker_threshold", "heap_mb", "ndots"]
METRICS = ["requests_total", "request_seconds", "pool_wait_seconds", "queue_age_seconds",
           "rss_bytes", "rpc_handled_total", "disk_free_bytes", "lookup_errors_total"]
FLAG_WORDS = ["new", "fast", "bulk", "smart", "v2", "lazy", "split", "shadow", "beta", "async"]
FLAG_NOUNS = ["pricing", "search", "checkout", "sync", "export", "routing", "tokens", "quotes"]

# Contributing factors. Each: weight, title templates, cause sentences, error strings, tags,
# action items (kind, title), triggers, mitigations, a lesson. Placeholders are {name} fields
# filled from a postmortem's context (see fill()).
FACTORS = {}


def factor(slug, weight, titles, causes, errors, tags, actions, triggers, fixes, lesson):
    FACTORS[slug] = dict(w=weight, titles=titles, causes=causes, errors=errors, tags=tags,
                         actions=actions, triggers=triggers, fixes=fixes, lesson=lesson)


factor("config-change", 10,
       ["{Svc} down after a settings push", "{Svc} breaks on a new {setting} value",
        "Settings rollout takes {svc} offline"],
       ["The new `{setting}` value went to every host in {region} in one step, skipping the staged rollout.",
        "`{setting}` was set to {n} where {N} was meant, and nothing compared it with the old value.",
        "The settings service stores values without validating them, so the mistake was live in seconds."],
       ["settings: {setting} must be a positive integer, got {n}",
        "reload rejected: unknown key {setting}"],
       ["deploy", "availability"],
       [("prevent", "Validate {svc} settings against a schema before publishing them"),
        ("prevent", "Send {svc} settings changes through the staged rollout"),
        ("detect", "Page when settings reloads fail on more than {n}% of {svc} hosts")],
       ["a settings change to `{setting}`", "a bulk settings cleanup"],
       ["reverting the settings change", "restoring the old `{setting}` value"],
       "A settings change is a deploy and needs a canary and a way back.")
factor("bad-deploy", 9,
       ["{Svc} {ver} release raises 5xx errors", "{Svc} {ver} breaks calls to {svc2}",
        "{Svc} restarts in a loop after {ver}"],
       ["Release {ver} of {svc} assumed a field that {svc2} leaves out for old accounts.",
        "The tests of {svc} stubbed {svc2}, so the real integration ran for the first time in production.",
        "A library upgrade bundled with {ver} changed how {svc} encodes timestamps."],
       ["panic: assignment to entry in nil map",
        "TypeError: undefined is not an object (evaluating 'row.{column}')"],
       ["deploy", "customer-facing"],
       [("prevent", "Add a contract test between {svc} and {svc2}"),
        ("mitigate", "Make rolling back {svc} one button in the release pipeline"),
        ("process", "Hold non-urgent {svc} releases during peak hours")],
       ["the {ver} release of {svc}", "a late-afternoon release of {svc}"],
       ["rolling {svc} back one release", "shipping {svc} again without the faulty commit"],
       "Stubs drift from the services they stand for; contract tests keep them honest.")
factor("capacity", 8,
       ["{Svc} saturated at peak traffic", "{Svc} runs out of headroom in {region}"],
       ["Traffic in {region} came in {pct}% over the forecast while {svc} had {n}% headroom.",
        "The replica ceiling of {svc} was {n}, a number nobody had revisited in a year.",
        "The growth model was linear and missed the promotion that doubled visits."],
       ["upstream request timeout", "503 no healthy upstream for {svc}"],
       ["capacity", "availability"],
       [("prevent", "Raise the {svc} replica ceiling and review it every quarter"),
        ("detect", "Alert when {svc} traffic leaves its forecast band"),
        ("process", "Share the promotions calendar with {team} capacity planning")],
       ["a promotion", "the seasonal peak"],
       ["adding {svc} replicas by hand", "shedding background traffic at the edge"],
       "Headroom has to be planned against launches, not last year's curve.")
factor("dependency-failure", 8,
       ["{Svc} degraded while {svc2} was down", "{Svc2} failure spreads to {svc}"],
       ["{Svc} treated {svc2} as essential although the feature using it is optional.",
        "When {svc2} returned errors, {svc} failed whole requests instead of leaving the part out.",
        "No circuit breaker sat between {svc} and {svc2}, so each request waited out the timeout."],
       ["rpc error: code = Unavailable desc = {svc2} refused the connection",
        "502 from {svc2}: upstream reset before headers"],
       ["availability", "customer-facing"],
       [("mitigate", "Put a circuit breaker and fallback around {svc2} calls in {svc}"),
        ("prevent", "List {svc} dependencies as hard or soft and test each failure"),
        ("detect", "Show {svc2} errors next to the {svc} SLOs")],
       ["a failure of {svc2}", "{svc2} maintenance in {region}"],
       ["switching off the {svc2} feature with a flag", "waiting for {svc2} to come back"],
       "An optional dependency must be allowed to fail without taking the page down.")
factor("missing-timeout", 6,
       ["{Svc} stalls on slow {svc2} calls", "{Svc} threads pile up behind {svc2}"],
       ["The client {svc} uses for {svc2} had no timeout, so threads waited forever.",
        "The default timeout of {n} minutes was far beyond the {ms} ms budget of the page.",
        "Worker threads of {svc} ran out within {min} minutes once {svc2} slowed down."],
       ["context deadline exceeded", "read timed out talking to {svc2}"],
       ["latency", "availability"],
       [("prevent", "Give every outbound call of {svc} an explicit timeout"),
        ("detect", "Flag HTTP clients built without a timeout in code review tooling"),
        ("mitigate", "Bulkhead {svc} so {svc2} latency cannot use up its workers")],
       ["slow answers from {svc2}", "a latency regression in {svc2}"],
       ["restarting {svc} with a {ms} ms timeout", "moving {svc2} calls to healthy replicas"],
       "Every network call needs a deadline taken from its caller's budget.")
factor("retry-storm", 6,
       ["Retries from {svc} flatten {svc2}", "Retry wave turns a {svc2} blip into an outage"],
       ["Callers of {svc2} retried at once and up to {n} times, multiplying its load.",
        "Three layers retried independently, so one click became dozens of requests to {svc2}.",
        "Backoff had no jitter, so retries arrived in waves every {n} seconds."],
       ["429 Too Many Requests from {svc2}", "retry budget spent after {n} attempts"],
       ["availability", "latency"],
       [("prevent", "Add jittered exponential backoff to {svc2} clients"),
        ("prevent", "Retry at one layer only when calling {svc2}"),
        ("mitigate", "Give {svc2} admission control that sheds load early")],
       ["a short hiccup of {svc2}", "a restart of {svc2}"],
       ["throttling {svc} at the ingress", "switching client retries off with a flag"],
       "Retries are load; budget them like load.")
factor("alerting-gap", 6,
       ["{Svc} failure goes unnoticed for {min} minutes", "Silent {svc} failure found by customers"],
       ["No alert covered errors of {svc} per tenant, so one tenant's outage hid in the average.",
        "The {svc} dashboard showed averages, which stayed flat while p99 climbed.",
        "Synthetic probes tested the home page only and never reached {svc}."],
       ["no samples of {metric} for {min}m"],
       ["observability"],
       [("detect", "Alert on {svc} errors per tenant"),
        ("detect", "Probe the {svc} user journey synthetically"),
        ("detect", "Alert on the age of the oldest message of {queue}")],
       ["a failure on an unwatched path", "a single-tenant failure"],
       ["replaying the stuck {queue} messages", "restarting the {svc} consumers"],
       "Averages hide outages; watch percentiles and tenants.")
factor("canary-too-short", 5,
       ["{Svc} regression slips through the canary", "Canary passes, {svc} rollout fails"],
       ["The canary lasted {n} minutes, shorter than the {min}-minute batch that exposes the bug.",
        "The canary compared error rates only, and this regression showed as latency.",
        "Promotion to every region was automatic and nobody read the canary graphs."],
       ["canary verdict PASS for {svc} {ver}"],
       ["deploy"],
       [("prevent", "Run the {svc} canary for at least one full batch cycle"),
        ("detect", "Add latency to the {svc} canary verdict"),
        ("prevent", "Require approval before {svc} leaves its first region")],
       ["the automatic rollout of {svc} {ver}", "a canary that passed in {n} minutes"],
       ["rolling {svc} back everywhere", "pinning {svc} to the previous image"],
       "A canary must live long enough to meet the workload that breaks things.")
factor("schema-migration", 5,
       ["Migration locks the {table} table", "{Svc} writes blocked by a {store} migration"],
       ["The migration rewrote `{table}` to add a defaulted column and held its lock for {min} minutes.",
        "Staging had {n} thousand rows of `{table}`; production has {N} thousand.",
        "Code reading the new column shipped before the migration had finished."],
       ["ERROR: canceling statement due to lock timeout", "column \"{column}\" does not exist"],
       ["database", "deploy"],
       [("prevent", "Use online migration tooling for tables above {n} million rows"),
        ("prevent", "Set a lock timeout on every migration session"),
        ("process", "Add a migration review to the {team} release checklist")],
       ["a migration of `{table}`", "the {ver} schema change"],
       ["cancelling the migration", "killing the blocking session"],
       "Schema changes need expand-and-contract steps and a rehearsal at production size.")
factor("connection-pool-exhaustion", 5,
       ["{Svc} connection pool runs dry", "{Store} connection limit hit by {svc}"],
       ["Each {svc} pod could open {n} connections, and {n3} pods exceeded the {store} limit.",
        "Slow transactions kept connections for seconds and starved the pool.",
        "A leak on the error path of {svc} drained the pool over {n} hours."],
       ["Connection is not available, request timed out after 30000ms",
        "FATAL: sorry, too many clients already"],
       ["database", "availability"],
       [("prevent", "Put a connection pooler between {svc} and {store}"),
        ("detect", "Alert on pool wait time in {svc}"),
        ("prevent", "Close connections on the {svc} error path")],
       ["a scale-out of {svc}", "long report queries"],
       ["scaling {svc} in to {n} pods", "raising the {store} connection limit for a while"],
       "A pool size is a fleet budget, not a per-pod number.")
factor("runbook-gap", 5,
       ["Outdated runbook slows {svc} recovery", "{Svc} recovery waits for a missing procedure"],
       ["The {svc} runbook pointed at a dashboard and a command removed {n} months before.",
        "No runbook covered failing {svc} over, so the on-call had to reach the {team} lead.",
        "Finding the right procedure took most of the {min} minutes of recovery."],
       ["{svc}-failover: command not found", "Permission denied (publickey)"],
       ["tooling"],
       [("process", "Rewrite the {svc} runbook and rehearse it in a game day"),
        ("process", "Link the runbook from every {svc} alert")],
       ["a rare {svc} failure", "a failover nobody had practised"],
       ["an improvised failover", "restarting {svc} from the jump host"],
       "Runbooks decay unless they are exercised.")
factor("cache-stampede", 4,
       ["Cache stampede hits {svc}", "{Svc} overloaded after a cache flush"],
       ["Flushing the cache sent every request of {svc} to {store} at once.",
        "Hot keys shared one TTL of {n} minutes and expired together.",
        "Without request coalescing, {n3} misses for one key all reached the database."],
       ["cache pool timeout", "too many concurrent misses for {svc}:{column}"],
       ["database", "latency"],
       [("prevent", "Coalesce concurrent cache misses in {svc}"),
        ("prevent", "Add jitter to {svc} cache TTLs"),
        ("mitigate", "Warm the {svc} cache before moving traffic")],
       ["a cache flush", "a restart of the cache cluster"],
       ["warming the cache from a snapshot", "rate-limiting misses to {store}"],
       "A cache the backend cannot live without is a hard dependency.")
factor("memory-leak", 4,
       ["{Svc} leaks memory until pods are killed", "Slow memory growth crashes {svc}"],
       ["A listener added per request in {svc} was never removed, about {n} MB per hour per pod.",
        "Pods were killed for memory every {n} hours, several at once.",
        "The leak came with {ver} and showed only once uptime passed {n} days."],
       ["OOMKilled", "fatal error: out of memory"],
       ["availability"],
       [("detect", "Alert on the memory growth rate of {svc}"),
        ("prevent", "Add a soak test to the {svc} pipeline")],
       ["the {ver} release of {svc}", "a quiet week without deploys"],
       ["a rolling restart of {svc}", "raising the {svc} memory limit"],
       "Frequent deploys hid the leak; a soak test makes it visible.")
factor("disk-full", 4,
       ["Disk fills up on {svc} hosts", "{Svc} stops writing on a full disk"],
       ["Debug logging from an old investigation stayed on and filled /var/log on {host}.",
        "Log rotation was misconfigured and files grew until the {n} GB volume was full.",
        "An abandoned replication slot kept {store} from removing old WAL files."],
       ["No space left on device", "write failed: no space left on device"],
       ["availability", "database"],
       [("detect", "Forecast disk usage of {svc} hosts and alert ahead"),
        ("prevent", "Enforce log rotation for {svc}")],
       ["forgotten debug logging", "an abandoned replication slot"],
       ["removing old logs on {host}", "dropping the replication slot"],
       "Disk alerts should predict the end, not announce it.")
factor("dns", 4,
       ["DNS failures break {svc}", "{Svc} cannot resolve {svc2}"],
       ["Resolvers in {region} hit their query limit and dropped lookups from {svc}.",
        "A zone cleanup deleted the record of {svc2}, and negative caching kept the failure for {min} minutes.",
        "{Svc} resolved names on every request instead of caching them."],
       ["lookup {svc2}.internal: no such host", "dns timeout resolving {svc2}.internal"],
       ["network"],
       [("prevent", "Run a node-local DNS cache in {region}"),
        ("detect", "Alert on resolver SERVFAIL and timeout rates"),
        ("prevent", "Protect critical DNS records from bulk deletion")],
       ["a DNS zone cleanup", "resolver overload in {region}"],
       ["restoring the DNS record", "adding resolver capacity in {region}"],
       "DNS needs its own dashboards and alerts.")
factor("cert-expiry", 3,
       ["Expired certificate breaks {svc}", "{Svc} TLS handshakes fail after certificate expiry"],
       ["The certificate of {svc2}.example.com expired; it had been issued by hand and no automation tracked it.",
        "Renewal reminders went to the mailbox of someone who had left.",
        "The intermediate bundle on {svc} was stale, so the renewed certificate failed too."],
       ["x509: certificate has expired or is not yet valid", "tls: certificate expired"],
       ["security", "tls"],
       [("prevent", "Issue the {svc2} certificate automatically"),
        ("detect", "Alert {n} days before any certificate expires")],
       ["a certificate issued by hand", "renewal automation failing quietly"],
       ["renewing the certificate by hand", "deploying the renewed bundle"],
       "Every certificate needs an owner, automation and an expiry alert.")
factor("feature-flag", 4,
       ["Flag {flag} breaks {svc}", "{Svc} errors after turning on {flag}"],
       ["`{flag}` went to {pct}% of users instead of {n}% because of a fraction typed as a percentage.",
        "The code behind `{flag}` had sat unused for {n} months and no longer matched the schema.",
        "Flag changes do not appear in the deploy log, so responders missed it for {min} minutes."],
       ["flag {flag} true for {pct}% of requests"],
       ["deploy"],
       [("process", "Show flag changes in the deploy timeline"),
        ("prevent", "Delete {svc} flags older than 90 days")],
       ["turning on `{flag}`", "a stale flag"],
       ["turning `{flag}` off", "pinning `{flag}` to its old percentage"],
       "A flag change is a deploy and deserves the same visibility.")
factor("manual-operation", 4,
       ["Maintenance command takes {svc} down", "{Svc} outage during hand-run maintenance"],
       ["A maintenance script ran against production from a shell that looked like staging.",
        "The command asked for no confirmation and acted on all {n3} hosts together.",
        "The maintenance was unannounced, so responders took {min} minutes to connect it to the alerts."],
       ["removed {n3} objects from {svc}-prod"],
       ["tooling"],
       [("prevent", "Add environment banners and confirmations to production tools"),
        ("prevent", "Limit {svc} admin scripts to one host unless told otherwise")],
       ["hand-run maintenance of {svc}", "a cleanup script"],
       ["restoring the objects from versioned storage", "rebuilding the removed hosts"],
       "Tools should make the dangerous action the hard one.")
factor("network-partition", 3,
       ["Partition cuts {svc} off in {region}", "Packet loss between zones degrades {svc}"],
       ["A switch firmware upgrade in {region} dropped {pct}% of packets between two zones.",
        "Health checks ran inside the zone they checked, so the broken zone looked healthy.",
        "The quorum of {svc} assumed zones fail one at a time."],
       ["connection reset by peer", "no route to host"],
       ["network", "availability"],
       [("mitigate", "Check {svc} health from outside the zone"),
        ("prevent", "Rehearse zone isolation of {svc}")],
       ["network maintenance in {region}", "a firmware upgrade"],
       ["draining the isolated zone", "rolling the firmware back"],
       "Losing a zone should be routine, not an emergency.")
factor("vendor-outage", 3,
       ["Vendor outage degrades {svc}", "{Svc} hit by a third-party API failure"],
       ["The vendor behind {svc} failed in {region} and there was no second provider.",
        "The vendor's status page stayed green for {min} minutes into the outage."],
       ["502 from vendor API", "vendor error code {n3}"],
       ["vendor", "customer-facing"],
       [("mitigate", "Add a second vendor for {svc}"),
        ("detect", "Measure vendor errors ourselves instead of trusting their status page")],
       ["a vendor outage", "a vendor API change"],
       ["failing over to the second vendor", "queueing requests until the vendor recovered"],
       "A vendor's SLA is not our availability.")
factor("clock-skew", 2,
       ["Clock drift breaks {svc} tokens", "Time sync failure causes {svc} login errors"],
       ["A firewall change blocked NTP and clocks on {host} drifted {n} seconds.",
        "Token checks in {svc} allowed no leeway for clock differences."],
       ["token issued in the future", "clock offset {n}s"],
       ["security"],
       [("detect", "Alert on clock offsets above one second"),
        ("prevent", "Allow bounded leeway when {svc} checks tokens")],
       ["a firewall change that blocked NTP"],
       ["opening NTP again", "stepping the clocks"],
       "Time is a dependency; watch it like one.")
factor("backup-restore", 2,
       ["Restoring {svc} data takes hours", "Restore of {table} fails"],
       ["Nightly {store} backups had failed quietly for {n} days.",
        "Nobody had restored a backup of `{table}` since the format changed."],
       ["restore: unexpected end of file", "backup finished with an empty archive"],
       ["database", "data-loss"],
       [("detect", "Restore a backup automatically every week"),
        ("process", "Write down and rehearse the {svc} restore")],
       ["a deletion in `{table}`", "a corrupted replica"],
       ["restoring `{table}` from the last good snapshot", "replaying the log"],
       "A backup nobody has restored is a hope, not a backup.")
factor("thundering-herd", 3,
       ["Reconnect storm overwhelms {svc2}", "Herd of clients floods {svc2} after a restart"],
       ["All {n3} clients reconnected to {svc2} within one second of the restart.",
        "Cron jobs on every host started on the hour and hit {svc2} together."],
       ["accept queue overflow", "too many open files"],
       ["availability"],
       [("prevent", "Add jitter to {svc2} client reconnects"),
        ("prevent", "Spread scheduled jobs with random offsets")],
       ["a restart of {svc2}", "jobs scheduled on the hour"],
       ["restarting clients in batches", "raising the accept backlog of {svc2}"],
       "Clients in lockstep are a load test nobody scheduled.")
factor("quota-exhaustion", 2,
       ["Cloud quota stops {svc} scaling", "{Svc} cannot grow: quota reached in {region}"],
       ["The account reached its instance quota in {region} while {svc} was scaling out.",
        "Nobody tracked quota usage, so the limit came as a surprise."],
       ["InstanceLimitExceeded for {svc}"],
       ["capacity"],
       [("detect", "Alert at 80% of every cloud quota"),
        ("process", "Review quotas before planned peaks")],
       ["a scale-out", "a region launch"],
       ["an emergency quota raise", "moving batch jobs out of {region}"],
       "Quotas are capacity and need tracking like capacity.")

FACTOR_NAMES = list(FACTORS)
FACTOR_WEIGHTS = [FACTORS[f]["w"] for f in FACTOR_NAMES]

SYMPTOMS = ["returned 5xx errors", "answered in over {ms} ms at p99", "was unavailable",
            "lost {pct}% of writes", "served stale data", "failed for mobile users",
            "delayed messages by up to {min} minutes", "timed out for many requests",
            "rejected valid requests", "stopped draining {queue}", "returned partial results"]
OPENINGS = [
    "On {day}, {svc} {symptom} for {dur}, after {trigger}.",
    "From {t0} to {t1} UTC on {day}, {svc} {symptom}.",
    "{Svc} {symptom} for {dur} on {day}; it started with {trigger}.",
    "For {dur} on {day}, customers could not {does} because {svc} {symptom}."]
CLOSINGS = ["It was mitigated by {fix}.", "Service came back after {fix}.",
            "Responders recovered by {fix}."]
EXTRAS = ["About {users} users were affected.", "The {team} on-call led the response.",
          "It was declared {sev} at {t_detect} UTC.", "No data was lost."]
TL_START = ["{Trigger} begins.", "Release {ver} of {svc} starts.",
            "First `{err}` lines appear in {svc} logs."]
TL_DETECT = ["Alert `{alert}` pages the {team} on-call.", "Support sees a rise in tickets about {svc}.",
             "The synthetic probe of {svc} fails in {region}.", "The SLO burn alert of {svc} fires."]
TL_ACK = ["The on-call acknowledges and opens #inc-{inc}.", "Incident declared at {sev}.",
          "An incident commander from {team} takes over."]
TL_MIDDLE = ["Responders find `{err}` in {svc} logs.", "Graphs show {metric} at {n3}.",
             "The {team2} team joins to look at {svc2}.", "Errors peak at {pct}%.",
             "The start of the errors lines up with {trigger}.",
             "Traffic is moved away from {region}; no change.", "{host} shows the same error.",
             "The team decides to mitigate by {fix}.", "Support posts a known-issue notice.",
             "A second alert fires for {svc2}; it is a symptom.", "p99 of {svc} reaches {ms} ms."]
TL_MITIGATE = ["Mitigation: {fix}.", "{Fix}; errors start to fall."]
TL_RECOVER = ["Errors back to baseline.", "Latency of {svc} back to normal.",
              "Incident resolved.", "Status page marked resolved."]
IMPACTS = ["About {users} users could not {does} for {dur}.",
           "Around {requests} requests failed, {share}% of the traffic in the window.",
           "The incident used {budget}% of the monthly error budget of {svc}.",
           "Internal users of {svc2} were blocked for {dur}.",
           "Support received {n3} tickets about it."]
WELL = ["The alert fired within {n} minutes.", "An incident commander was named quickly.",
        "Rolling back was quick once decided.", "Status updates were timely.",
        "The {team2} team joined within minutes.", "A flag let us switch the path off without a deploy.",
        "The incident channel kept a clear timeline.", "Load shedding protected the rest of the platform."]
POORLY = ["Finding the triggering change took {min} minutes.", "The alert went to a channel nobody reads at night.",
          "Two groups chased the same hypothesis.", "The status page was {min} minutes late.",
          "The dashboards of {svc} lacked percentiles.", "Access to production logs took too long to get."]
LESSONS = ["Changes to shared infrastructure need an announcement.", "Small, reversible changes are safer.",
           "Our dashboards should answer the first question of an incident."]
GENERIC_ACTIONS = [("process", "Hold a review of the {svc} on-call handbook"),
                   ("detect", "Add a dashboard panel for {metric} of {svc}")]


# ------------------------------------------------------------------------------ helpers
def cap(s):
    return s[:1].upper() + s[1:]


class Ctx(dict):
    """Template fields; numbers ({n}, {pct}, ...) are drawn fresh from rng at each use."""

    rng = None

    def __missing__(self, key):
        r = self.rng
        draw = {"n": lambda: r.randint(2, 60), "N": lambda: r.randint(100, 900),
                "n3": lambda: r.randint(100, 999), "pct": lambda: r.randint(5, 95),
                "ms": lambda: r.choice((250, 500, 800, 1500, 3000)), "min": lambda: r.randint(4, 90),
                "host": lambda: f"{self['svc']}-{r.randint(1, 40):02d}.{self['region']}",
                "metric": lambda: r.choice(METRICS), "inc": lambda: r.randint(1000, 9999)}
        if key in draw:
            return draw[key]()
        raise KeyError(key)


def fill(template, ctx):
    return template.format_map(ctx)


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(xs):
    return "[" + ", ".join(toml_str(x) for x in xs) + "]"


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:00Z")


def slug(s):
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    return s[:60].rstrip("-")


def duration(minutes):
    if minutes < 60:
        return f"{minutes} minutes"
    h, m = divmod(minutes, 60)
    return f"{h} h {m} min" if m else f"{h} h"


# ------------------------------------------------------------------------------ generation
FIRST_DAY = dt.datetime(2018, 1, 1)
LAST_DAY = dt.datetime(2025, 9, 30)


def make_classes(k, seed):
    span = (LAST_DAY - FIRST_DAY).total_seconds()
    out = []
    for c in range(k):
        r = random.Random(f"{seed}:class:{c}")
        factors = []
        for _ in range(r.choice((1, 2, 2, 3))):
            f = r.choices(FACTOR_NAMES, FACTOR_WEIGHTS)[0]
            if f not in factors:
                factors.append(f)
        svc, svc2 = r.sample(NAMES, 2)
        ctx = Ctx(svc=svc, Svc=cap(svc), svc2=svc2, Svc2=cap(svc2), team=TEAM[svc], team2=TEAM[svc2],
                  region=r.choice(REGIONS), tech=r.choice(TECH), store=r.choice(STORES),
                  table=r.choice(TABLES), column=r.choice(COLUMNS), setting=r.choice(SETTINGS),
                  flag=f"{r.choice(FLAG_WORDS)}_{r.choice(FLAG_NOUNS)}",
                  queue=f"{svc}-{r.choice(FLAG_NOUNS)}",
                  ver=f"v{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}")
        ctx["Store"] = ctx["store"]
        ctx.rng = r
        main = FACTORS[factors[0]]
        start = r.uniform(0, span - 120 * 86400)
        out.append(dict(
            name=f"K{c:05d}", factors=factors, ctx=ctx, start=start,
            length=r.uniform(120 * 86400, span - start), sev=r.choices((1, 2, 3, 4), (1, 3, 4, 2))[0],
            title=r.choice(main["titles"]), trigger=fill(r.choice(main["triggers"]), ctx),
            err=fill(r.choice(main["errors"]), ctx), fix=fill(r.choice(main["fixes"]), ctx),
            symptom=r.choice(SYMPTOMS), cause=fill(r.choice(main["causes"]), ctx),
            tags=sorted({t for f in factors for t in FACTORS[f]["tags"]})[:4]))
    return out


def plan(n, seed):
    k = max(1, round(n / 8))
    classes = make_classes(k, seed)
    r = random.Random(f"{seed}:sizes")
    weights = [min(r.paretovariate(1.5), 10.0) for _ in range(k)]
    order = list(range(min(n, k))) + (r.choices(range(k), weights, k=n - k) if n > k else [])
    r.shuffle(order)
    docs = []
    for i, c in enumerate(order):
        cl = classes[c]
        r = random.Random(f"{seed}:doc:{i}")
        when = (FIRST_DAY + dt.timedelta(seconds=cl["start"] + r.uniform(0, cl["length"]))).replace(
            second=0, microsecond=0)
        ctx = Ctx(cl["ctx"])
        ctx.rng = r
        if r.random() < 0.15:
            svc = r.choice(NAMES)
            ctx.update(svc=svc, Svc=cap(svc), team=TEAM[svc])
        if r.random() < 0.3 or ctx["svc2"] == ctx["svc"]:
            svc2 = r.choice([s for s in NAMES if s != ctx["svc"]])
            ctx.update(svc2=svc2, Svc2=cap(svc2), team2=TEAM[svc2])
        if r.random() < 0.2:
            ctx["region"] = r.choice(REGIONS)
        ctx["ver"] = f"v{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}"
        factors = [f for f in cl["factors"] if r.random() < 0.85] or cl["factors"][:1]
        if r.random() < 0.3:
            extra = r.choices(FACTOR_NAMES, FACTOR_WEIGHTS)[0]
            if extra not in factors:
                factors.append(extra)
        title = fill(cl["title"] if r.random() < 0.6 else r.choice(FACTORS[factors[-1]]["titles"]), ctx)
        if r.random() < 0.2 and ctx["region"] not in title:
            title += f" in {ctx['region']}"
        docs.append(dict(i=i, cl=cl, r=r, when=when, ctx=ctx, factors=factors, title=title,
                         sev=min(4, max(1, cl["sev"] + r.choice((-1, 0, 0, 1))))))
    taken = set()
    for d in docs:
        base = f"{d['when']:%Y-%m-%d}-{slug(d['title'])}"
        cand, j = base, 2
        while cand in taken:
            cand, j = f"{base}-{j}", j + 1
        taken.add(cand)
        d["id"] = cand
    by_class = {}
    for d in docs:
        by_class.setdefault(d["cl"]["name"], []).append(d)
    for name, members in by_class.items():
        members.sort(key=lambda d: (d["when"], d["id"]))
        r = random.Random(f"{seed}:recurrence:{name}")
        for j, d in enumerate(members):
            d["rec"] = []
            if j and r.random() < 0.5:
                d["rec"].append(members[j - 1 if r.random() < 0.7 else r.randrange(j)]["id"])
    return docs


def render(d, seed, draft_share, restricted_share):
    r, ctx, cl = d["r"], d["ctx"], d["cl"]
    svc, when = ctx["svc"], d["when"]
    sev = f"SEV{d['sev']}"
    main = FACTORS[d["factors"][0]]
    ctx.update(trigger=cl["trigger"] if r.random() < 0.75 else fill(r.choice(main["triggers"]), ctx),
               err=cl["err"] if r.random() < 0.8 else fill(r.choice(main["errors"]), ctx),
               fix=cl["fix"] if r.random() < 0.65 else fill(r.choice(FACTORS[d["factors"][-1]]["fixes"]), ctx),
               symptom=fill(cl["symptom"] if r.random() < 0.7 else r.choice(SYMPTOMS), ctx),
               sev=sev, does=DOES[svc],
               alert=f"{cap(svc.replace('-', ''))}{r.choice(('Errors', 'Latency', 'Down'))}")
    ctx["Trigger"], ctx["Fix"] = cap(ctx["trigger"]), cap(ctx["fix"])
    near_miss = r.random() < 0.05
    detected = when + dt.timedelta(minutes=int(r.lognormvariate(2.0, 0.9)) + 1)
    mitigated = detected + dt.timedelta(minutes=int(r.lognormvariate(3.2, 0.8)) + 3)
    resolved = mitigated + dt.timedelta(minutes=int(r.lognormvariate(3.4, 1.0)))
    published = (resolved + dt.timedelta(days=r.randint(1, 20))).date()
    minutes = int((mitigated - when).total_seconds() // 60)
    scale = {1: 15, 2: 5, 3: 1.2, 4: 0.25}[d["sev"]] * (0.02 if near_miss else 1)
    users = int(r.lognormvariate(8.3, 1.1) * scale)
    requests = int(users * r.uniform(3, 30))
    revenue = int(users * r.uniform(0.1, 2.5)) if TEAM[svc] in ("payments", "commerce") else 0
    budget = round(min(100.0, r.uniform(2, 20) * scale), 1)
    ctx.update(day=f"{when:%B} {when.day}, {when:%Y}", t0=f"{when:%H:%M}", t1=f"{mitigated:%H:%M}",
               t_detect=f"{detected:%H:%M}", dur=duration(minutes), users=f"{users:,}",
               requests=f"{requests:,}", share=f"{r.uniform(0.5, 40):.1f}", budget=f"{budget}")
    status = "draft" if random.Random(f"{seed}:draft:{d['i']}").random() < draft_share else "published"
    visibility = "restricted" if random.Random(f"{seed}:restricted:{d['i']}").random() < restricted_share else "internal"
    teams = [ctx["team"]] + ([ctx["team2"]] if ctx["team2"] != ctx["team"] and r.random() < 0.5 else [])
    authors = [f"{ctx['team']}-oncall"] + ([f"{r.choice(GIVEN)}.{r.choice(FAMILY)}"] if r.random() < 0.7 else [])
    tags = list(cl["tags"])
    if r.random() < 0.25:
        t = r.choice(TAGS)
        if t not in tags:
            tags.append(t)
    services = [svc] + ([ctx["svc2"]] if r.random() < 0.5 else [])

    summary = [fill(r.choice(OPENINGS), ctx)]
    if r.random() < 0.8:
        summary.append(fill(r.choice(CLOSINGS), ctx))
    summary += [fill(t, ctx) for t in r.sample(EXTRAS, r.randint(0, 2))]
    summary = " ".join(summary)

    events = [(when - dt.timedelta(minutes=r.randint(0, 20)), fill(r.choice(TL_START), ctx)),
              (detected, fill(r.choice(TL_DETECT), ctx)),
              (detected + dt.timedelta(minutes=r.randint(1, 5)), fill(r.choice(TL_ACK), ctx))]
    gap = max(1, int((mitigated - detected).total_seconds() // 60) - 6)
    middle = r.sample(TL_MIDDLE, r.randint(1, 8))
    for m, t in zip(sorted(r.randint(6, 6 + gap) for _ in middle), middle):
        events.append((detected + dt.timedelta(minutes=m), fill(t, ctx)))
    events.append((mitigated, fill(r.choice(TL_MITIGATE), ctx)))
    events.append((resolved, fill(r.choice(TL_RECOVER), ctx)))
    events.sort(key=lambda e: e[0])
    timeline = "\n".join(
        f"- {t:%H:%M} UTC: {text}" if t.date() == when.date() else f"- {t:%Y-%m-%d %H:%M} UTC: {text}"
        for t, text in events)
    if r.random() < 0.3:
        timeline += f"\n\nLog lines from {fill('{host}', ctx)}:\n\n```text\n{ctx['err']}\n{ctx['err']}\n```"

    impact = " ".join(fill(t, ctx) for t in r.sample(IMPACTS, r.randint(2, 4)))
    if near_miss:
        impact = "A near miss: it was caught before most customers noticed. " + impact
    if r.random() < 0.3:
        impact += (f"\n\n| Measure | Value |\n| --- | --- |\n| Users affected | {users:,} |\n"
                   f"| Requests failed | {requests:,} |\n| Duration | {duration(minutes)} |")

    causes = [cl["cause"] if r.random() < 0.7 else fill(r.choice(main["causes"]), ctx)]
    for f in d["factors"]:
        for t in r.sample(FACTORS[f]["causes"], r.randint(1, 2)):
            s = fill(t, ctx)
            if s not in causes:
                causes.append(s)
    cause = [f"It began with {ctx['trigger']}. " + " ".join(causes[:3])]
    if len(causes) > 3:
        cause.append(" ".join(causes[3:]))
    cause.append("Contributing factors: " + ", ".join(f"**{f}**" for f in d["factors"]) + ".")
    if d["rec"]:
        cause.append(f"This repeats {', '.join(d['rec'])}: the same {d['factors'][0]} failure reached "
                     f"{svc} again before all of the earlier action items were done.")
    cause.append(f"The error seen throughout was `{ctx['err']}`.")
    if r.random() < 0.25:
        cause.append(f"```yaml\n{svc}:\n  {ctx['setting']}: {r.randint(1, 5000)}\n  region: {ctx['region']}\n```")

    well = [fill(t, ctx) for t in r.sample(WELL, r.randint(2, 4))]
    poorly = [fill(t, ctx) for t in r.sample(POORLY, r.randint(2, 3))]
    lessons = list(dict.fromkeys([fill(FACTORS[f]["lesson"], ctx) for f in d["factors"]]
                                 + r.sample(LESSONS, r.randint(0, 1))))

    pool = [a for f in d["factors"] for a in FACTORS[f]["actions"]] + GENERIC_ACTIONS
    picks, seen = [], set()
    for kind, text in r.sample(pool, min(len(pool), r.randint(1, 5))):
        title = fill(text, ctx)
        if title not in seen:
            seen.add(title)
            picks.append((kind, title))
    old = (LAST_DAY.date() - published).days > 180
    items = []
    for j, (kind, title) in enumerate(picks, 1):
        due = published + dt.timedelta(days=r.choice((7, 14, 30, 30, 60, 90)))
        x = r.random()
        done = 0.85 if old else 0.45
        state = "done" if x < done else "in-progress" if x < done + 0.08 else "wontfix" if x < done + 0.11 else "open"
        owner = ctx["team"] if r.random() < 0.6 else ctx["team2"]
        item = dict(id=f"AI-{j}", title=title, owner=owner, due=due, status=state, kind=kind,
                    priority=r.choices(("P0", "P1", "P2", "P3"), (1, 4, 4, 2))[0])
        if state == "done":
            item["closed"] = max(published, min(due + dt.timedelta(days=r.randint(-10, 15)), LAST_DAY.date()))
        items.append(item)

    front = ["+++", f"title = {toml_str(d['title'])}", f"date = {stamp(when)}", f'severity = "{sev}"',
             f'status = "{status}"', f'visibility = "{visibility}"', f"summary = {toml_str(summary)}",
             f"services = {toml_list(services)}", f"teams = {toml_list(teams)}",
             f"authors = {toml_list(authors)}", f"contributing_factors = {toml_list(d['factors'])}",
             f"tags = {toml_list(tags)}", f"recurrence_of = {toml_list(d['rec'])}",
             f"near_miss = {'true' if near_miss else 'false'}", "",
             "[timing]", f"detected = {stamp(detected)}", f"mitigated = {stamp(mitigated)}",
             f"resolved = {stamp(resolved)}", f"published = {published.isoformat()}", "",
             "[impact]", f"users_affected = {users}", f"requests_failed = {requests}"]
    if revenue:
        front.append(f"revenue_usd = {revenue}")
    front.append(f"slo_budget_consumed_pct = {budget}")
    for it in items:
        front += ["", "[[action_items]]", f'id = "{it["id"]}"', f"title = {toml_str(it['title'])}",
                  f'owner = "{it["owner"]}"', f"due = {it['due'].isoformat()}", f'status = "{it["status"]}"',
                  f'kind = "{it["kind"]}"', f'priority = "{it["priority"]}"']
        if "closed" in it:
            front.append(f"closed = {it['closed'].isoformat()}")
    front.append("+++")
    if r.random() < 0.5:
        actions = "| ID | Action | Owner | Due | Status |\n| --- | --- | --- | --- | --- |\n" + "\n".join(
            f"| {a['id']} | {a['title']} | {a['owner']} | {a['due']} | {a['status']} |" for a in items)
    else:
        actions = "\n".join(f"- **{a['id']}** ({a['priority']}, {a['kind']}): {a['title']}. Owner: "
                            f"{a['owner']}, due {a['due']}, {a['status']}." for a in items)
    sections = [summary, timeline, impact, "\n\n".join(cause), "\n".join("- " + x for x in well),
                "\n".join("- " + x for x in poorly), "\n".join("- " + x for x in lessons), actions]
    body = "".join(f"## {h}\n\n{text}\n\n" for h, text in zip(HEADINGS, sections))
    return "\n".join(front) + "\n\n" + body.rstrip("\n") + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--restricted-fraction", type=float, default=0.0)
    ap.add_argument("--draft-fraction", type=float, default=0.0)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    if a.count < 1:
        ap.error("--count must be at least 1")
    for name in ("restricted_fraction", "draft_fraction"):
        if not 0.0 <= getattr(a, name) <= 1.0:
            ap.error(f"--{name.replace('_', '-')} must be between 0 and 1")
    out = os.path.abspath(a.out)
    if os.path.isdir(out) and os.listdir(out):
        if not a.force:
            sys.exit(f"gen-archive: {out} is not empty (--force replaces a previous archive)")
        other = [x for x in os.listdir(out) if not re.fullmatch(r"\d{4}", x)]
        if other:
            sys.exit(f"gen-archive: not clearing {out}: it holds {other[:3]}, not only year folders")
        shutil.rmtree(out)
    t0 = time.time()
    docs = plan(a.count, a.seed)
    for d in docs:
        year = os.path.join(out, f"{d['when']:%Y}")
        os.makedirs(year, exist_ok=True)
        with open(os.path.join(year, d["id"] + ".md"), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(render(d, a.seed, a.draft_fraction, a.restricted_fraction))
    tsv = os.path.join(os.path.dirname(out), os.path.basename(out) + ".classes.tsv")
    with open(tsv, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("id\tclass\n")
        for d in sorted(docs, key=lambda d: d["id"]):
            fh.write(f"{d['id']}\t{d['cl']['name']}\n")
    if not a.quiet:
        classes = len({d["cl"]["name"] for d in docs})
        linked = sum(1 for d in docs if d["rec"])
        print(f"gen-archive: {len(docs)} postmortems in {classes} classes ({linked} with recurrence_of) "
              f"in {out}, classes in {tsv}, {time.time() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
