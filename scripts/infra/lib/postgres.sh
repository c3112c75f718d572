# shellcheck shell=bash
# PostgreSQL from Debian's packages, with the project's own data directory, port and user.

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  [[ -n "$dir" && -x "$dir/postgres" ]] && echo "$dir"
}

# Postgres refuses to run as root: as root we run it as the package's `postgres` user, whose
# data directory must then sit where that user can reach it.
pg_run() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_datadir() {
  local dir="$INFRA_DATA/postgres"
  if [[ "$(id -u)" == 0 ]] && ! runuser -u postgres -- test -x "$INFRA_DATA" 2>/dev/null; then
    dir="/var/tmp/lab-infra-$(echo -n "$INFRA_HOME" | sha1sum | cut -c1-12)/postgres"
  fi
  echo "$dir"
}

postgres_install() {
  if ! pg_bindir >/dev/null; then
    apt_install postgresql postgresql-contrib || return 1
  fi
  pg_bindir >/dev/null || fail "no PostgreSQL server binaries under /usr/lib/postgresql after installing: apt-get install postgresql"
  mark_installed postgres "$("$(pg_bindir)/postgres" --version | awk '{print $3}')"
}

postgres_ready() {
  PGPASSWORD="$PG_PASSWORD" psql -h "$INFRA_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" -Atqc 'select 1' 2>/dev/null | grep -q 1
}

# This checkout's server, not merely one that answers on the port with the same credentials.
postgres_owned() {
  [[ "$(PGPASSWORD="$PG_PASSWORD" psql -h "$INFRA_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc 'show data_directory' 2>/dev/null)" == "$(pg_datadir)" ]]
}

postgres_running() { "$(pg_bindir)/pg_ctl" status -D "$(pg_datadir)" >/dev/null 2>&1 || pg_run "$(pg_bindir)/pg_ctl" status -D "$(pg_datadir)" >/dev/null 2>&1; }

postgres_up() {
  postgres_install || return 1
  local bin data sockets log
  bin="$(pg_bindir)"
  data="$(pg_datadir)"
  sockets="$(dirname "$data")/postgres-sockets"
  log="$INFRA_LOGS/postgres.log"
  if postgres_ready; then
    postgres_owned && return 0
    not_ours postgres "$PG_PORT"
    return 1
  fi
  mkdir -p "$data" "$sockets"
  touch "$log"
  if [[ "$(id -u)" == 0 ]]; then chown postgres: "$data" "$sockets" "$log"; chmod 700 "$data"; fi
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "postgres: initialising $data"
    local pwfile="$sockets/.pw"
    echo "$PG_PASSWORD" >"$pwfile"
    [[ "$(id -u)" == 0 ]] && chown postgres: "$pwfile"
    if ! pg_run "$bin/initdb" -D "$data" -U "$PG_USER" --pwfile="$pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >>"$log" 2>&1; then
      rm -f "$pwfile"
      log_tail "$log"
      fail "postgres: initdb failed (log: $log)"
      return 1
    fi
    rm -f "$pwfile"
  fi
  if ! postgres_running; then
    say "postgres: starting on $INFRA_HOST:$PG_PORT"
    if ! pg_run "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-p $PG_PORT -k $sockets -c listen_addresses=$INFRA_HOST -c max_connections=300" start >/dev/null; then
      log_tail "$log"
      fail "postgres: did not start within 60s (log: $log); is port $PG_PORT taken? (INFRA_PG_PORT changes it)"
      return 1
    fi
  fi
  if ! PGPASSWORD="$PG_PASSWORD" psql -h "$INFRA_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc \
    "select 1 from pg_database where datname = '$PG_DATABASE'" | grep -q 1; then
    PGPASSWORD="$PG_PASSWORD" psql -h "$INFRA_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qc \
      "create database $PG_DATABASE" >/dev/null || fail "postgres: could not create database $PG_DATABASE"
  fi
  wait_until 30 postgres postgres_ready || fail "postgres: no answer to 'select 1' on $INFRA_HOST:$PG_PORT within 30s (log: $log)"
}

postgres_down() {
  local bin data
  bin="$(pg_bindir)" || return 0
  data="$(pg_datadir)"
  [[ -f "$data/postmaster.pid" ]] || return 0
  pg_run "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || pg_run "$bin/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
}

postgres_status() {
  if postgres_ready && postgres_owned; then echo "up    $INFRA_HOST:$PG_PORT  PostgreSQL $(installed_version postgres)  data $(pg_datadir)"; else echo "down"; fi
}

postgres_env() {
  echo "DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@$INFRA_HOST:$PG_PORT/$PG_DATABASE"
}
