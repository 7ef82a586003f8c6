#pragma once
// Page 1: the experiment in one glance, the datasets on this machine and the classes.

#include "ui/common/worker_thread.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QTableWidget;

namespace maml::ui {

class Workbench;

class DataPage final : public QWidget {
    Q_OBJECT
public:
    explicit DataPage(Workbench* workbench, QWidget* parent = nullptr);

    /// True while class thumbnails are being loaded (screenshots wait for it).
    bool isLoading() const { return m_loading; }

Q_SIGNALS:
    void newExperimentRequested();
    void openExperimentRequested();
    void loaded();

private:
    void refreshSummary();
    void refreshDatasets();
    void loadGallery();

    Workbench* m_workbench;
    QLabel* m_summary = nullptr;
    QTableWidget* m_datasets = nullptr;
    QListWidget* m_gallery = nullptr;
    QLabel* m_galleryTitle = nullptr;
    bool m_loading = false;
    int m_generation = 0;
    WorkerThread m_worker{QStringLiteral("data page")}; ///< last member: stops before the rest goes
};

} // namespace maml::ui
