// Helpers shared by the core tests: temporary folders and small files in the real formats.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace maml::test {

/// A fresh folder under /tmp, removed with everything in it when the object goes away.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

void writeBytes(const std::filesystem::path& file, const std::string& bytes);
std::string readBytes(const std::filesystem::path& file);

/// A small 8-bit grayscale or BGR image whose pixels depend on `seed`.
cv::Mat patternImage(int rows, int cols, int channels, int seed);
void writePng(const std::filesystem::path& file, const cv::Mat& image);

/// The 100 fine and 20 coarse CIFAR-100 label names, in the official order, and the
/// superclass of each fine class.
const std::vector<std::string>& cifarFineNames();
const std::vector<std::string>& cifarCoarseNames();
int cifarCoarseOf(int fine);

/// One CIFAR-100 record: coarse, fine, then 3072 pixel bytes made from (fine, serial).
std::string cifarRecord(int coarse, int fine, int serial);
/// Writes dir/cifar-100-binary/{train.bin,test.bin,*_label_names.txt} with `perClassTrain`
/// and `perClassTest` records for every fine class but those named in `empty` (none: they
/// are listed in the label file only, as in the project's CIFAR-100 development copy).
std::filesystem::path writeCifarFolder(const std::filesystem::path& dir, int perClassTrain, int perClassTest,
                                       const std::vector<std::string>& empty = {});

/// Packs the folder `root/sub` as `sub/...` into a .tar.gz.
void makeTarGz(const std::filesystem::path& root, const std::string& sub,
               const std::filesystem::path& archive);
/// Writes `bytes` gzip-compressed.
void writeGzip(const std::filesystem::path& file, const std::string& bytes);

/// Runs `f`; returns the message of the maml::Error it throws, or "(no error)".
std::string errorOf(const std::function<void()>& f);

/// Runs a command line through the shell; returns the exit code and fills `output`
/// with stdout and stderr.
int runCommand(const std::string& command, std::string* output = nullptr);

} // namespace maml::test
