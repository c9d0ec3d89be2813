#!/bin/bash
# Regenerates the rpm databases in this directory with rpm itself (Debian's
# rpm package: rpm, rpmbuild; its database backend is sqlite). Run from this
# directory: bash make.sh
#
#   rpmdb-1.sqlite  hello 1.0-1, tool 2:3.4-5 and its subpackage tool-libs
#                   (100 files, so its header spills onto overflow pages)
#   rpmdb-2.sqlite  the same database after hello is upgraded to 1.1-1
#   qa-1.txt, qa-2.txt  what `rpm -qa` says of each, one package a line:
#                   name, [epoch:]version-release, arch, licence, files
set -euo pipefail
here=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1700000000

spec() { # name epoch version release
  local epoch=""
  [ "$2" != 0 ] && epoch="Epoch: $2"
  cat <<SPEC
Name: $1
$epoch
Version: $3
Release: $4
Summary: a tiny test package
License: MIT
BuildArch: noarch
%description
A tiny package for regscope's tests.
%package libs
Summary: its libraries
License: BSD-3-Clause
%description libs
Libraries.
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/share/$1 %{buildroot}/usr/lib/$1
echo '#!/bin/sh' > %{buildroot}/usr/bin/$1
echo $3 > %{buildroot}/usr/share/$1/VERSION
for i in \$(seq 1 100); do echo \$i > %{buildroot}/usr/lib/$1/module-with-a-long-name-\$i.so; done
%files
/usr/bin/$1
/usr/share/$1
%files libs
/usr/lib/$1
SPEC
}

build() { # name epoch version release
  spec "$@" > "$work/$1.spec"
  rpmbuild --quiet --define "_topdir $work/top" -bb "$work/$1.spec"
}

build hello 0 1.0 1
cp "$work"/top/RPMS/noarch/hello-1.0-1.noarch.rpm "$work"/
build hello 0 1.1 1
build tool 2 3.4 5

db="$work/db"
qf='%{NAME}\t%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}\t%{ARCH}\t%{LICENSE}\t[%{FILENAMES},]\n'
rpm() { command rpm --dbpath "$db" "$@"; }
rpm --initdb
rpm -i --nodeps --justdb --nosignature "$work"/hello-1.0-1.noarch.rpm \
  "$work"/top/RPMS/noarch/tool-3.4-5.noarch.rpm "$work"/top/RPMS/noarch/tool-libs-3.4-5.noarch.rpm
rpm -qa --qf "$qf" | sort > "$here/qa-1.txt"
cp "$db/rpmdb.sqlite" "$here/rpmdb-1.sqlite"
sleep 1 # a later INSTALLTIME
rpm -U --nodeps --justdb --nosignature "$work"/top/RPMS/noarch/hello-1.1-1.noarch.rpm
rpm -qa --qf "$qf" | sort > "$here/qa-2.txt"
cp "$db/rpmdb.sqlite" "$here/rpmdb-2.sqlite"
