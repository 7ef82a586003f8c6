#include "core/util/md5.h"

#include "core/util/error.h"

#include <openssl/evp.h>

#include <fstream>
#include <vector>

namespace maml {

struct Md5::Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
};

Md5::Md5() : m_context(std::make_unique<Context>())
{
    if (!m_context->ctx || EVP_DigestInit_ex(m_context->ctx, EVP_md5(), nullptr) != 1)
        throw Error("OpenSSL cannot start an MD5 digest", "libcrypto",
                    "Check the OpenSSL installation (libssl3)");
}

Md5::~Md5() = default;

void Md5::update(const void* data, size_t size)
{
    if (size > 0 && EVP_DigestUpdate(m_context->ctx, data, size) != 1)
        throw Error("OpenSSL's MD5 digest failed", "libcrypto", "Check the OpenSSL installation (libssl3)");
}

std::string Md5::hexDigest()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(m_context->ctx, digest, &length) != 1)
        throw Error("OpenSSL's MD5 digest failed", "libcrypto", "Check the OpenSSL installation (libssl3)");
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

std::string Md5::of(const std::string& bytes)
{
    Md5 md5;
    md5.update(bytes.data(), bytes.size());
    return md5.hexDigest();
}

std::string Md5::ofFile(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open the file", path.string(), "Check that it exists and is readable");
    Md5 md5;
    std::vector<char> block(1 << 20);
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        md5.update(block.data(), static_cast<size_t>(in.gcount()));
    }
    if (in.bad())
        throw Error("cannot read the file", path.string(), "Check the disk and permissions");
    return md5.hexDigest();
}

} // namespace maml
