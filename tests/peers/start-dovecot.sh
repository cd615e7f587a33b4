#!/usr/bin/env bash
# Copied from ../shared/peers (tried on this machine); the project keeps its own copy so a plain clone passes.
# Start a throwaway Dovecot IMAP server without systemd.
#
#   start-dovecot.sh DIR PORT [USER] [PASSWORD]
#
# DIR      a directory this script may fill (config, passwd-file, Maildir, logs, sockets)
# PORT     TCP port on 127.0.0.1 (use an unprivileged one, e.g. 10143)
# USER     IMAP user name   (default: test)
# PASSWORD IMAP password    (default: test)
#
# Prints the PID of the Dovecot master process on stdout once the port accepts
# connections, and exits 0. Stop it with:  kill PID   (SIGTERM; the master stops its
# children and exits), or:  doveadm -c DIR/dovecot.conf stop
#
# Needs: dovecot-imapd (Debian: apt-get install -y dovecot-imapd). Works as root (the
# Debian package's dovecot/dovenull users run the internal/login processes and own the
# Maildir) and as a normal user (everything runs as that user).
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 DIR PORT [USER] [PASSWORD]" >&2
    exit 2
fi
DIR=$1
PORT=$2
IMAP_USER=${3:-test}
IMAP_PASS=${4:-test}
HERE=$(cd "$(dirname "$0")" && pwd)

# dovecot lives in sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"
DOVECOT=$(command -v dovecot) || { echo "dovecot not installed (apt-get install -y dovecot-imapd)" >&2; exit 1; }

# The template uses Dovecot 2.3 syntax (Debian 12 ships 2.3.19). Dovecot 2.4 (Debian 13)
# rejects it: it needs dovecot_config_version/dovecot_storage_version first, %{user}
# instead of %u, mail_driver/mail_path instead of mail_location, auth_allow_cleartext
# instead of disable_plaintext_auth, and named passdb/userdb blocks.
DVER=$("$DOVECOT" --version 2>/dev/null | cut -d' ' -f1)
case "$DVER" in
    2.3.*) ;;
    *) echo "dovecot $DVER: this template is for Dovecot 2.3.x; Debian 12 ships 2.3.19" >&2
       exit 1 ;;
esac

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
mkdir -p "$DIR/run" "$DIR/state" "$DIR/log" "$DIR/mail/$IMAP_USER/Maildir"

if [ "$(id -u)" = 0 ]; then
    LOGIN_USER=dovenull
    INTERNAL_USER=dovecot
    INTERNAL_GROUP=dovecot
    MAIL_UID=$(id -u dovecot)
    MAIL_GID=$(id -g dovecot)
else
    LOGIN_USER=$(id -un)
    INTERNAL_USER=$(id -un)
    INTERNAL_GROUP=$(id -gn)
    MAIL_UID=$(id -u)
    MAIL_GID=$(id -g)
fi

sed -e "s|@DIR@|$DIR|g" -e "s|@PORT@|$PORT|g" \
    -e "s|@LOGIN_USER@|$LOGIN_USER|g" -e "s|@INTERNAL_USER@|$INTERNAL_USER|g" \
    -e "s|@INTERNAL_GROUP@|$INTERNAL_GROUP|g" \
    -e "s|@MAIL_UID@|$MAIL_UID|g" -e "s|@MAIL_GID@|$MAIL_GID|g" \
    "$HERE/dovecot.conf.template" > "$DIR/dovecot.conf"

# Optional TLS (project addition): TLS_CERT / TLS_KEY enable STARTTLS on PORT, and
# TLS_PORT adds an implicit-TLS (imaps) listener.
if [ -n "${TLS_CERT:-}" ] && [ -n "${TLS_KEY:-}" ]; then
    sed -i -e "s|^ssl = no|ssl = yes\nssl_cert = <$TLS_CERT\nssl_key = <$TLS_KEY|" "$DIR/dovecot.conf"
    sed -i -e "/inet_listener imaps {/,/}/ s|port = 0|port = ${TLS_PORT:-0}|" "$DIR/dovecot.conf"
fi

# Optional OAuth2 (project addition): OAUTH2_INTROSPECTION_URL adds the XOAUTH2 and
# OAUTHBEARER mechanisms and an oauth2 passdb that asks that RFC 7662 endpoint (POST
# token=...) whether a token is active and whose it is.
if [ -n "${OAUTH2_INTROSPECTION_URL:-}" ]; then
    sed -i -e "s|^auth_mechanisms = plain login|auth_mechanisms = plain login xoauth2 oauthbearer|" "$DIR/dovecot.conf"
    cat >> "$DIR/dovecot.conf" <<EOF
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $DIR/dovecot-oauth2.conf.ext
}
EOF
    cat > "$DIR/dovecot-oauth2.conf.ext" <<EOF
introspection_mode = post
introspection_url = $OAUTH2_INTROSPECTION_URL
username_attribute = username
active_attribute = active
active_value = true
force_introspection = yes
EOF
    chmod 0644 "$DIR/dovecot-oauth2.conf.ext"
fi

# passwd-file: user:{PLAIN}password  (test credentials only)
printf '%s:{PLAIN}%s\n' "$IMAP_USER" "$IMAP_PASS" > "$DIR/passwd"
chmod 0644 "$DIR/passwd"

# The mail user must own its Maildir (root case: the dovecot user).
chown -R "$MAIL_UID:$MAIL_GID" "$DIR/mail"

if [ "$(id -u)" = 0 ]; then
    # Root case: auth and imap run as the dovecot user, which must be able to walk
    # down to DIR. Temp dirs (mktemp -d, pytest's tmp_path) are mode 0700, so add the
    # search bit (o+x, not read) to every ancestor that lacks it.
    d=$DIR
    while [ "$d" != "/" ]; do
        if [ "$(stat -c %A "$d" | cut -c10)" != "x" ] && [ "$(stat -c %A "$d" | cut -c10)" != "t" ]; then
            chmod o+x "$d"
        fi
        d=$(dirname "$d")
    done
fi

# Refuse a port that is already taken (else we would "see" someone else's server).
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "127.0.0.1:$PORT is already in use" >&2
    exit 1
fi

# -F: stay in the foreground (no daemonizing), so $! is the master's PID.
"$DOVECOT" -F -c "$DIR/dovecot.conf" >>"$DIR/log/stdout.log" 2>&1 &
PID=$!

# Wait (max ~10 s) until the port answers with an IMAP greeting.
for _ in $(seq 1 100); do
    if ! kill -0 "$PID" 2>/dev/null; then
        echo "dovecot exited early; see $DIR/log/" >&2
        cat "$DIR/log/stdout.log" "$DIR/log/dovecot.log" >&2 2>/dev/null || true
        exit 1
    fi
    # Ready = the greeting says "ready" (an early connection can get
    # "* OK Waiting for authentication process to respond.." instead).
    if greeting=$(exec 2>/dev/null; exec 3<>"/dev/tcp/127.0.0.1/$PORT" && IFS= read -r -t 2 line <&3 && printf '%s' "$line") \
        && [[ $greeting == *ready* ]] && kill -0 "$PID" 2>/dev/null; then
        echo "$PID"
        exit 0
    fi
    sleep 0.1
done
echo "dovecot did not open 127.0.0.1:$PORT in time" >&2
kill "$PID" 2>/dev/null || true
exit 1
