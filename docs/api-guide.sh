#!/usr/bin/env bash
# The API guide (docs/API.md) as one script: run it in an empty directory
# with `cbec` on the PATH (or CBEC=path/to/cbec). It bootstraps officers,
# starts `cbec serve` on a fresh SQLite database and walks the filing flow
# with curl. A test runs it, so the guide stays true.
set -eu
CBEC=${CBEC:-cbec}
PORT=${PORT:-8080}
# 1. Officers (administrative bootstrap)
ADMIN=$($CBEC admin create-officer --role administrator --name root | tail -n 1)
REVIEWER=$($CBEC admin create-officer --role reviewer --name rita | tail -n 1)
SUPERVISOR=$($CBEC admin create-officer --role supervisor --name sam | tail -n 1)
$CBEC serve --listen 127.0.0.1:$PORT 2>serve.log & SERVE=$!
trap 'kill $SERVE' EXIT
for i in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
API=http://127.0.0.1:$PORT/api/v1
echo "== file an e-commerce enterprise"
APP=$(curl -s -X POST $API/applications -H "Authorization: Bearer $REVIEWER" -H 'Content-Type: application/json' -d '{
  "kind": "initial_filing",
  "payload": {
    "record": {"customs_code": "3101960001", "name": "示例跨境电商有限公司", "customs_district": "2200",
               "types": ["ebc", "ebp"], "trade": "both", "address": "上海市浦东新区世纪大道100号",
               "contact": "王经理", "telephone": "021-12345678"}
  }}')
echo "$APP"
APP_ID=$(echo "$APP" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "== approve it (a different officer)"
ENT=$(curl -s -X POST $API/applications/$APP_ID/approve -H "Authorization: Bearer $SUPERVISOR")
echo "$ENT"
ENT_ID=$(echo "$ENT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["enterprise_id"])')
echo "== a payment enterprise without a licence is refused"
curl -s -X POST $API/applications -H "Authorization: Bearer $REVIEWER" -H 'Content-Type: application/json' -d '{
  "kind": "initial_filing",
  "payload": {"record": {"customs_code": "3101960002", "name": "示例支付有限公司", "customs_district": "2200", "types": ["pay"], "trade": "import"}}}'
echo
echo "== an API token for the enterprise"
TOK=$(curl -s -X POST $API/enterprises/$ENT_ID/tokens -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{"label": "erp"}')
echo "$TOK"
ENT_TOKEN=$(echo "$TOK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
echo "== the enterprise applies for an information change"
CHG=$(curl -s -X POST $API/applications -H "Authorization: Bearer $ENT_TOKEN" -H 'Content-Type: application/json' -d '{
  "kind": "info_change", "enterprise_id": "'$ENT_ID'",
  "payload": {"record": {"customs_code": "3101960001", "name": "示例跨境电商（上海）有限公司", "customs_district": "2200",
               "types": ["ebc", "ebp"], "trade": "both", "address": "上海市黄浦区中山东一路1号",
               "contact": "王经理", "telephone": "021-12345678"}}}')
CHG_ID=$(echo "$CHG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -s -X POST $API/applications/$CHG_ID/approve -H "Authorization: Bearer $REVIEWER" >/dev/null
echo "== versions (before and after)"
curl -s $API/enterprises/$ENT_ID/versions -H "Authorization: Bearer $REVIEWER" | python3 -c 'import json,sys; [print(v["version"], v["record"]["name"], v["valid_from"]) for v in json.load(sys.stdin)]'
echo "== overseas warehouse: refused when dishonest, accepted at general credit"
curl -s -X POST $API/enterprises/$ENT_ID/credit -H "Authorization: Bearer $SUPERVISOR" -H 'Content-Type: application/json' -d '{"rating": "dishonest", "reason": "逾期未缴税款"}' >/dev/null
WH='{"kind": "overseas_warehouse", "enterprise_id": "'$ENT_ID'", "payload": {"warehouse": {"name": "洛杉矶仓", "country": "502", "address": "1 Main St, Los Angeles, CA", "area_m2": "1200", "nature": "leased", "document": "LEASE-2026-001"}}}'
curl -s -X POST $API/applications -H "Authorization: Bearer $ENT_TOKEN" -H 'Content-Type: application/json' -d "$WH"
echo
curl -s -X POST $API/enterprises/$ENT_ID/credit -H "Authorization: Bearer $SUPERVISOR" -H 'Content-Type: application/json' -d '{"rating": "general", "reason": "已补缴"}' >/dev/null
W=$(curl -s -X POST $API/applications -H "Authorization: Bearer $ENT_TOKEN" -H 'Content-Type: application/json' -d "$WH")
curl -s -X POST $API/applications/$(echo "$W" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')/approve -H "Authorization: Bearer $REVIEWER" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'
echo "== bind and revoke a signing certificate"
$CBEC keygen --alg sm2 --out ukey --subject "CN=示例跨境电商,O=示例,C=CN" >/dev/null
PEM=$(python3 -c 'import json; print(json.dumps(open("ukey/cert.pem").read()))')
B=$(curl -s -X POST $API/applications -H "Authorization: Bearer $ENT_TOKEN" -H 'Content-Type: application/json' -d '{"kind": "certificate_binding", "enterprise_id": "'$ENT_ID'", "payload": {"certificate": '"$PEM"'}}')
curl -s -X POST $API/applications/$(echo "$B" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')/approve -H "Authorization: Bearer $REVIEWER" >/dev/null
CERT_ID=$(curl -s $API/enterprises/$ENT_ID/certificates -H "Authorization: Bearer $ENT_TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
curl -s -X POST $API/certificates/$CERT_ID/revoke -H "Authorization: Bearer $ENT_TOKEN" -H 'Content-Type: application/json' -d '{"reason": "UKey lost"}' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("revoked_at") is not None, d.get("revoke_reason"))'
echo "== audit"
curl -s $API/audit/verify -H "Authorization: Bearer $SUPERVISOR"
echo
