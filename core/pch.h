// Precompiled header for core: LibTorch's headers cost ~15 s per translation unit otherwise.
#pragma once
#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <random>
#include <spdlog/spdlog.h>
#include <string>
#include <torch/torch.h>
#include <vector>
