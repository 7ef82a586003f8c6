#include "core/util/atomic_file.h"

#include "core/util/atomic_writer.h"
#include "core/util/error.h"

#include <fstream>
#include <sstream>

namespace maml {
namespace fs = std::filesystem;

void writeFileAtomic(const fs::path& path, const std::string& bytes)
{
    AtomicFileWriter out(path);
    out.write(bytes.data(), bytes.size());
    out.commit();
}

void writeFileAtomicWith(const fs::path& path, const std::function<void(const fs::path&)>& writer)
{
    AtomicFileWriter out(path); // removes the temporary unless commit() succeeds
    try {
        writer(out.temporaryPath());
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(std::string("cannot write the file: ") + e.what(), path.string(),
                    "Check free disk space and permissions; the previous file is unchanged");
    }
    std::error_code ec;
    const auto size = fs::file_size(out.temporaryPath(), ec);
    if (ec || size == 0)
        throw Error("writing produced no data", path.string(),
                    "Check free disk space; the previous file is unchanged");
    out.commit(); // fsyncs the file the writer wrote (through its own descriptor) and renames it
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open the file", path.string(), "Check that it exists and is readable");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throw Error("cannot read the file", path.string(), "Check the disk and permissions");
    return ss.str();
}

} // namespace maml
