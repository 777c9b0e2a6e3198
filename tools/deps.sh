#!/bin/sh
# Installs the Debian packages mitsu needs to build, run and test; does
# nothing when they are already there.  Needs root (apt-get).
set -e
PKGS="build-essential clang libclang-rt-14-dev pkg-config libpcap-dev libsqlite3-dev libssl-dev
zlib1g-dev libpcre2-dev libcurl4-openssl-dev nftables iproute2 ethtool iputils-ping procps netcat-openbsd
nmap hping3 masscan tshark tcpdump xxd python3 sqlite3 netsniff-ng time curl wget openssl
openssh-client socat bind9-dnsutils snmp zmap ntpsec-ntpdig hydra telnet redis-tools
mariadb-client postgresql-client mosquitto-clients freetds-bin adb sipvicious linux-perf"
# The dashboard: libmicrohttpd, crypt(3) for --auth-hash, MaxMind lookups,
# Chromium for the browser tests.
PKGS="$PKGS libmicrohttpd-dev libcrypt-dev libmaxminddb-dev chromium"
# Keep at scale: NATS JetStream bus, S3 test server (s3rver from npm), SigV4 check.
PKGS="$PKGS libnats-dev nats-server python3-botocore nodejs"
# Alerts: an SMTP server for the email channel's test.
PKGS="$PKGS python3-aiosmtpd"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
# npm comes with some nodejs builds (NodeSource) and conflicts with Debian's
# npm package there: ask for it only when there is no npm at all.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "mitsu: missing packages:$missing; run as root (sudo) to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
apt-get install -y --no-install-recommends $missing
