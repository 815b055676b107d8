#!/usr/bin/env python3
"""An independent implementation of the CEB SM2 signature profile, for
interoperability tests of cbec: lxml for Canonical XML 1.0 and PyPI gmssl
for SM2/SM3 (SM3withSM2, default user ID 1234567812345678). It shares no
code with cbec.

    sm2_interop.py verify SIGNED.xml
        Exit 0 if the document digest and the SM2 SignatureValue verify
        under the embedded certificate, 1 (with the reason) otherwise.
    sm2_interop.py sign UNSIGNED.xml KEY.pem CERT.pem OUT.xml [--der] [--digest sha1|sha256|sm3]
        Signs an import message as a UKey does (ds:Signature appended as the
        last child of the root) with the private key of a PKCS#8 PEM.
"""

import base64
import hashlib
import re
import secrets
import sys

from lxml import etree
from gmssl import func, sm2, sm3

DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"ds": DS}
DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3": "sm3",
    "http://www.w3.org/2000/09/xmldsig#sm3": "sm3",
}
SM2_METHODS = (
    "http://www.w3.org/2000/09/xmldsig#sm2-sm3",
    "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3",
)
SM2_CURVE_OID = bytes.fromhex("06082a811ccf5501822d")


def digest(name, data):
    if name == "sm3":
        return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))
    return hashlib.new(name, data).digest()


def pem_der(path, label):
    text = open(path).read()
    m = re.search(r"-----BEGIN %s-----(.*?)-----END %s-----" % (label, label), text, re.S)
    if not m:
        sys.exit("%s: no %s" % (path, label))
    return base64.b64decode("".join(m.group(1).split()))


def sm2_public_key_hex(cert_der):
    """x || y (128 hex digits) of the SM2 key in a certificate's SPKI."""
    at = cert_der.find(SM2_CURVE_OID + bytes.fromhex("03420004"))
    if at < 0:
        raise ValueError("no SM2 public key in the certificate")
    start = at + len(SM2_CURVE_OID) + 4
    return cert_der[start:start + 64].hex()


def crypt_sm2(public, private, asn1):
    """gmssl's CryptSM2 for the key x || y. Its constructor strips any
    leading '0' and '4' hex digits (`lstrip("04")`), which corrupts a key
    whose x starts with one of them; set the key after construction."""
    crypt = sm2.CryptSM2(public_key="", private_key=private, asn1=asn1)
    crypt.public_key = public
    return crypt


def sm2_private_key_hex(pkcs8_der):
    """The 32-byte private scalar of an SM2 PKCS#8 key (its ECPrivateKey)."""
    at = pkcs8_der.find(bytes.fromhex("0201010420"))
    if at < 0:
        raise ValueError("no ECPrivateKey in the PKCS#8 key")
    return pkcs8_der[at + 5:at + 37].hex()


def document_digest(tree, signature, name):
    """C14N (no comments) of the document without the signature element,
    keeping the whitespace that follows it (its lxml tail)."""
    root = tree.getroot()
    parent = signature.getparent()
    tail = signature.tail or ""
    prev = signature.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(signature)
    data = etree.tostring(tree, method="c14n", with_comments=False)
    return digest(name, data)


def verify(path):
    tree = etree.parse(path)
    sigs = tree.getroot().findall(".//ds:Signature", NS)
    if len(sigs) != 1:
        return "expected one ds:Signature, found %d" % len(sigs)
    sig = sigs[0]
    si = sig.find("ds:SignedInfo", NS)
    method = si.find("ds:SignatureMethod", NS).get("Algorithm")
    if method not in SM2_METHODS:
        return "not an SM2 signature: " + method
    c14n = si.find("ds:CanonicalizationMethod", NS).get("Algorithm")
    if c14n != "http://www.w3.org/TR/2001/REC-xml-c14n-20010315":
        return "this checker knows inclusive C14N only, not " + c14n
    # Inclusive C14N of SignedInfo in the context of its document: lxml
    # renders the namespaces in scope from its ancestors.
    signed_info = etree.tostring(si, method="c14n", with_comments=False)
    value = base64.b64decode("".join(sig.find("ds:SignatureValue", NS).text.split()))
    cert = base64.b64decode("".join(sig.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS).text.split()))
    ref = si.find("ds:Reference", NS)
    name = DIGESTS[ref.find("ds:DigestMethod", NS).get("Algorithm")]
    expected = base64.b64decode(ref.find("ds:DigestValue", NS).text.strip())
    public = sm2_public_key_hex(cert)
    ok = crypt_sm2(public, "", asn1=len(value) != 64).verify_with_sm3(value.hex(), signed_info)
    if not ok:
        return "the SM2 SignatureValue does not verify (gmssl)"
    computed = document_digest(tree, sig, name)
    if computed != expected:
        return "digest mismatch: DigestValue %s, computed %s" % (
            base64.b64encode(expected).decode(), base64.b64encode(computed).decode())
    return None


SIGNATURE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"></ds:CanonicalizationMethod>'
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sm2-sm3"></ds:SignatureMethod>'
    '<ds:Reference URI=""><ds:Transforms>'
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform>'
    '</ds:Transforms><ds:DigestMethod Algorithm="%(digest_uri)s"></ds:DigestMethod>'
    '<ds:DigestValue>%(digest)s</ds:DigestValue></ds:Reference></ds:SignedInfo>'
    '<ds:SignatureValue>%(value)s</ds:SignatureValue>'
    '<ds:KeyInfo><ds:KeyName>%(key_name)s</ds:KeyName><ds:X509Data><ds:X509Certificate>%(cert)s'
    '</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>'
)


def sign(src, key_path, cert_path, out, der=False, digest_name="sha1"):
    text = open(src, encoding="utf-8").read()
    private = sm2_private_key_hex(pem_der(key_path, "PRIVATE KEY"))
    cert = pem_der(cert_path, "CERTIFICATE")
    public = sm2_public_key_hex(cert)
    digest_uri = {
        "sha1": "http://www.w3.org/2000/09/xmldsig#sha1",
        "sha256": "http://www.w3.org/2001/04/xmlenc#sha256",
        "sm3": "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3",
    }[digest_name]
    # The signature goes in with no whitespace around it, so the document
    # without it is exactly the unsigned one.
    root_end = text.rindex("</")
    unsigned = etree.fromstring(text.encode("utf-8")).getroottree()
    doc_digest = digest(digest_name, etree.tostring(unsigned, method="c14n", with_comments=False))
    fields = {
        "digest_uri": digest_uri,
        "digest": base64.b64encode(doc_digest).decode(),
        "value": "",
        "key_name": "",
        "cert": base64.b64encode(cert).decode(),
    }
    draft = text[:root_end] + SIGNATURE % fields + text[root_end:]
    tree = etree.fromstring(draft.encode("utf-8")).getroottree()
    si = tree.getroot().find("ds:Signature/ds:SignedInfo", NS)
    signed_info = etree.tostring(si, method="c14n", with_comments=False)
    crypt = crypt_sm2(public, private, asn1=der)
    value = crypt.sign_with_sm3(signed_info, secrets.token_hex(32))
    fields["value"] = base64.b64encode(bytes.fromhex(value)).decode()
    fields["key_name"] = serial_hex(cert)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text[:root_end] + SIGNATURE % fields + text[root_end:])


def serial_hex(cert_der):
    """The certificate serial as UKeys write KeyName (DER INTEGER bytes)."""
    # Certificate SEQ > TBS SEQ > [0] version > INTEGER serial.
    i = 0

    def header(i):
        length = cert_der[i + 1]
        if length < 0x80:
            return i + 2, length
        n = length & 0x7F
        return i + 2 + n, int.from_bytes(cert_der[i + 2:i + 2 + n], "big")

    i, _ = header(0)  # Certificate
    i, _ = header(i)  # TBSCertificate
    if cert_der[i] == 0xA0:
        j, n = header(i)
        i = j + n
    j, n = header(i)
    serial = cert_der[j:j + n].lstrip(b"\x00") or b"\x00"
    return serial.hex()


def main(argv):
    if len(argv) >= 2 and argv[0] == "verify":
        problem = verify(argv[1])
        if problem:
            print("%s: INVALID: %s" % (argv[1], problem))
            return 1
        print("%s: valid (lxml C14N + gmssl SM2)" % argv[1])
        return 0
    if len(argv) >= 5 and argv[0] == "sign":
        opts = argv[5:]
        digest_name = opts[opts.index("--digest") + 1] if "--digest" in opts else "sha1"
        sign(argv[1], argv[2], argv[3], argv[4], der="--der" in opts, digest_name=digest_name)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
