#!/bin/sh
# Installs the Debian packages mitsu needs to build, run and test; does
# nothing when they are already there.  Needs root (apt-get).
set -e
PKGS="build-essential clang libclang-rt-14-dev pkg-config libpcap-dev libsqlite3-dev libssl-dev
zlib1g-dev libpcre2-dev libcurl4-openssl-dev nftables iproute2 ethtool iputils-ping procps netcat-openbsd
nmap hping3 masscan tshark tcpdump xxd python3 sqlite3 netsniff-ng time curl wget openssl
openssh-client socat bind9-dnsutils snmp zmap ntpsec-ntpdig hydra telnet redis-tools
mariadb-client postgresql-client mosquitto-clients freetds-bin adb sipvicious linux-perf
python3-aiosmtpd"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "mitsu: missing packages:$missing; run as root (sudo) to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
apt-get install -y --no-install-recommends $missing
