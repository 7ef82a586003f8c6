#pragma once
// Page 1: the experiment in one glance, the datasets on this machine and the classes.

#include "ui/common/worker_thread.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QTableWidget;

namespace maml::ui {

class DatasetDownload;
class Workbench;

class DataPage final : public QWidget {
    Q_OBJECT
public:
    explicit DataPage(Workbench* workbench, QWidget* parent = nullptr);

    /// True while class thumbnails are being loaded (screenshots wait for it).
    bool isLoading() const { return m_loading; }

    /// What "Choose folder..." on a missing row does once a folder is picked: checks that `dir`
    /// holds dataset `name` (cifar100, omniglot, fashion-mnist), remembers it for this and later
    /// sessions and the CLI (core/data/dataset_locations.h) and refreshes the table. False, with
    /// the reason under the table, when the folder does not hold it.
    bool chooseFolder(const QString& name, const QString& dir);
    /// The line under the datasets table (what was chosen, downloaded, or went wrong).
    QString datasetStatus() const;

Q_SIGNALS:
    void newExperimentRequested();
    void openExperimentRequested();
    void loaded();

private:
    void refreshSummary();
    void refreshDatasets();
    QWidget* rowActions(const QString& name);
    void download();
    void loadGallery();

    Workbench* m_workbench;
    QLabel* m_summary = nullptr;
    QTableWidget* m_datasets = nullptr;
    QLabel* m_datasetStatus = nullptr;
    DatasetDownload* m_download = nullptr; ///< while CIFAR-100 downloads
    QListWidget* m_gallery = nullptr;
    QLabel* m_galleryTitle = nullptr;
    bool m_loading = false;
    int m_generation = 0;
    WorkerThread m_worker{QStringLiteral("data page")}; ///< last member: stops before the rest goes
};

} // namespace maml::ui
