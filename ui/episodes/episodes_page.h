#pragma once
// Page 2: one sampled episode as an image grid; resample, seed, zoom.

#include "ui/common/worker_thread.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace maml::ui {

class EpisodeView;
class Workbench;

class EpisodesPage final : public QWidget {
    Q_OBJECT
public:
    explicit EpisodesPage(Workbench* workbench, QWidget* parent = nullptr);

    EpisodeView* view() const { return m_view; }
    bool isLoading() const { return m_loading; }
    void setSeed(int seed);

public Q_SLOTS:
    void sample();
    void resample();

Q_SIGNALS:
    void sampled();

private:
    void showMode();

    Workbench* m_workbench;
    QLabel* m_title = nullptr;
    EpisodeView* m_view = nullptr;
    QComboBox* m_split = nullptr;
    QSpinBox* m_seed = nullptr;
    QSlider* m_zoom = nullptr;
    QLabel* m_status = nullptr;
    bool m_loading = false;
    int m_generation = 0;
    WorkerThread m_worker{QStringLiteral("episodes page")}; ///< last member: stops before the rest goes
};

} // namespace maml::ui
