# Sourced by .ci/run: start a throwaway PostgreSQL cluster that this run
# owns, in a temporary directory, listening on loopback only, and export
# MISSIONBOT_TEST_DATABASE_URL for the tests that need it. pg_stop (set as
# an EXIT trap by the caller) stops it and removes its files.
#
# The server refuses to run as root, so as root the cluster belongs to the
# "postgres" system user (created by Debian's package); otherwise to the
# user running CI.

pg_bin() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ]; then
			echo "$d"
			return 0
		fi
	done
	command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" && return 0
	return 1
}

# pg_as runs a command as the cluster's owner.
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	local bin
	if ! bin=$(pg_bin); then
		echo "PostgreSQL server binaries not found; installing Debian's postgresql package"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
		bin=$(pg_bin) || { echo "no PostgreSQL server after install" >&2; return 1; }
	fi
	if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		useradd --system --no-create-home postgres
	fi
	PG_BIN=$bin
	PG_DIR=$(mktemp -d /tmp/missionbot-ci-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$PG_DIR"
	fi
	# A free loopback port: ask the kernel for one.
	PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 54329)
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; return 1; }
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
		-o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" >/dev/null ||
		{ cat "$PG_DIR/server.log" >&2; return 1; }
	pg_as "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres missionbot_test
	export MISSIONBOT_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/missionbot_test?sslmode=disable"
	echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (throwaway cluster in $PG_DIR)"
}

pg_stop() {
	if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
		rm -rf "$PG_DIR"
	fi
}
