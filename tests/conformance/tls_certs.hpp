// Test certificates made at test time with OpenSSL's API (never committed): a CA, a server
// certificate for localhost/127.0.0.1, an expired one, one for another name, a client
// certificate, and a second CA nobody trusts. Written once per process to a temporary
// directory that is removed at exit.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace weft::test {

struct TestPki {
  std::string dir;
  std::string caCert;                       // trusted by the tests' clients and servers
  std::string serverCert, serverKey;        // CN/SAN localhost, IP 127.0.0.1
  std::string expiredCert, expiredKey;      // localhost, expired yesterday
  std::string wrongNameCert, wrongNameKey;  // wrong.example only
  std::string untrustedCert, untrustedKey;  // localhost, signed by a CA nobody trusts
  std::string clientCert, clientKey;        // a client certificate from the trusted CA
};

namespace pki_detail {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

inline Key newKey() {
  Key k(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!k) throw std::runtime_error("EC key generation failed");
  return k;
}

inline void addExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) throw std::runtime_error("bad extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Signed by (issuer, issuerKey), or self-signed when issuer is null.
inline Cert newCert(const char* cn, const char* san, EVP_PKEY* key, X509* issuer,
                    EVP_PKEY* issuerKey, long notBeforeDays, long notAfterDays, bool ca) {
  static long serial = 1;
  Cert c(X509_new());
  X509_set_version(c.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), notBeforeDays * 86400);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), notAfterDays * 86400);
  X509_set_pubkey(c.get(), key);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(c.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer ? issuer : c.get();
  if (ca) {
    addExt(c.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    addExt(c.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    addExt(c.get(), iss, NID_basic_constraints, "CA:FALSE");
    if (san) addExt(c.get(), iss, NID_subject_alt_name, san);
  }
  addExt(c.get(), iss, NID_subject_key_identifier, "hash");
  if (!X509_sign(c.get(), issuer ? issuerKey : key, EVP_sha256()))
    throw std::runtime_error("X509_sign failed");
  return c;
}

inline void writePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + path);
  if (cert) PEM_write_X509(f, cert);
  if (key) PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

struct Generated {
  TestPki pki;
  Generated() {
    namespace fs = std::filesystem;
    std::string templ = (fs::temp_directory_path() / "weft-tls-XXXXXX").string();
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
    pki.dir = buf.data();
    auto path = [&](const char* n) { return pki.dir + "/" + n; };

    Key caKey = newKey(), otherCaKey = newKey();
    Cert ca = newCert("weft test CA", nullptr, caKey.get(), nullptr, nullptr, -1, 30, true);
    Cert otherCa =
        newCert("untrusted CA", nullptr, otherCaKey.get(), nullptr, nullptr, -1, 30, true);
    pki.caCert = path("ca.pem");
    writePem(pki.caCert, ca.get(), nullptr);

    auto issue = [&](const char* stem, const char* cn, const char* san, X509* issuer,
                     EVP_PKEY* issuerKey, long from, long to, std::string& certPath,
                     std::string& keyPath) {
      Key k = newKey();
      Cert c = newCert(cn, san, k.get(), issuer, issuerKey, from, to, false);
      certPath = path((std::string(stem) + ".pem").c_str());
      keyPath = path((std::string(stem) + ".key").c_str());
      writePem(certPath, c.get(), nullptr);
      writePem(keyPath, nullptr, k.get());
    };
    const char* local = "DNS:localhost,IP:127.0.0.1,IP:::1";
    issue("server", "localhost", local, ca.get(), caKey.get(), -1, 30, pki.serverCert,
          pki.serverKey);
    issue("expired", "localhost", local, ca.get(), caKey.get(), -3, -1, pki.expiredCert,
          pki.expiredKey);
    issue("wrongname", "wrong.example", "DNS:wrong.example", ca.get(), caKey.get(), -1, 30,
          pki.wrongNameCert, pki.wrongNameKey);
    issue("untrusted", "localhost", local, otherCa.get(), otherCaKey.get(), -1, 30,
          pki.untrustedCert, pki.untrustedKey);
    issue("client", "weft test client", "DNS:client.test", ca.get(), caKey.get(), -1, 30,
          pki.clientCert, pki.clientKey);
  }
  ~Generated() {
    std::error_code ec;
    std::filesystem::remove_all(pki.dir, ec);
  }
};

}  // namespace pki_detail

inline const TestPki& testPki() {
  static const pki_detail::Generated generated;
  return generated.pki;
}

}  // namespace weft::test
