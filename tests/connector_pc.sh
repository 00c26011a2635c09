#!/bin/sh
# hiresync-connector.pc gives the connector directory relative to ${libdir}, so that a
# connector built with its own prefix installs under that prefix, not hiresync's.
set -eu
: "${PKG_CONFIG:=pkg-config}"
PKG_CONFIG_PATH="$HIRESYNC_BUILDDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
own=$($PKG_CONFIG --define-variable=libdir=/opt/acme/lib --variable=connectordir \
    hiresync-connector)
if [ "$own" != /opt/acme/lib/hiresync ]; then
    echo "connectordir with libdir=/opt/acme/lib is \"$own\", not /opt/acme/lib/hiresync" >&2
    exit 1
fi
libdir=$($PKG_CONFIG --variable=libdir hiresync-connector)
dir=$($PKG_CONFIG --variable=connectordir hiresync-connector)
if [ "$dir" != "$libdir/hiresync" ]; then
    echo "connectordir is \"$dir\", not \"$libdir/hiresync\"" >&2
    exit 1
fi
echo "connectordir follows libdir: $dir"
