#include "ui/episodes/episode_picture.h"

#include "core/engine/task_source.h"
#include "ui/common/tensor_image.h"

namespace maml::ui {
namespace {

QVector<QVector<EpisodeTile>> tilesOf(const torch::Tensor& x, const torch::Tensor& y, int ways, bool images)
{
    QVector<QVector<EpisodeTile>> rows(ways);
    const auto labels = y.to(torch::kInt64).contiguous();
    for (int64_t i = 0; i < x.size(0); ++i) {
        EpisodeTile tile;
        tile.label = static_cast<int>(labels[i].item<int64_t>());
        tile.image = images ? tensorToImage(x[i]) : QImage();
        if (tile.label >= 0 && tile.label < ways)
            rows[tile.label].append(tile);
    }
    return rows;
}

// Sources name the file / record of each item (tooltips in the viewer).
void addSources(QVector<QVector<EpisodeTile>>& rows, const torch::Tensor& y,
                const std::vector<std::pair<int, int>>& items, const TaskSource& source)
{
    QVector<int> next(rows.size(), 0);
    const auto labels = y.to(torch::kInt64).contiguous();
    for (size_t i = 0; i < items.size() && static_cast<int64_t>(i) < labels.size(0); ++i) {
        const int label = static_cast<int>(labels[static_cast<int64_t>(i)].item<int64_t>());
        if (label < 0 || label >= rows.size() || next[label] >= rows[label].size())
            continue;
        rows[label][next[label]++].source =
            QString::fromStdString(source.itemSource(items[i].first, items[i].second));
    }
}

} // namespace

EpisodePicture pictureOf(const Episode& episode, DataKind kind)
{
    EpisodePicture picture;
    for (const auto& name : episode.classNames)
        picture.classNames << QString::fromStdString(name);
    picture.text = kind == DataKind::Text;
    picture.support = tilesOf(episode.supportX, episode.supportY, episode.ways(), !picture.text);
    picture.queries = tilesOf(episode.queryX, episode.queryY, episode.ways(), !picture.text);
    return picture;
}

EpisodePicture sampleEpisodePicture(const ExperimentConfig& config, const QString& split, uint64_t seed)
{
    auto source = makeTaskSource(config, split.toStdString());
    const Episode episode = source->sample(seed);
    EpisodePicture picture = pictureOf(episode, dataKindOf(config.dataset));
    picture.seed = seed;
    picture.description = QString::fromStdString(source->describe());
    addSources(picture.support, episode.supportY, episode.supportItems, *source);
    addSources(picture.queries, episode.queryY, episode.queryItems, *source);
    return picture;
}

} // namespace maml::ui
