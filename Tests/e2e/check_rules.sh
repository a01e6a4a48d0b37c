#!/usr/bin/env bash
# alerts.yml through promtool: syntax and every rule's unit tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
root="$here/../.."
check "promtool check rules alerts.yml" promtool check rules "$root/alerts.yml"
check "promtool test rules Tests/rules/alerts_test.yml" promtool test rules "$root/Tests/rules/alerts_test.yml"
summary
