using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace WasmSharp.Benchmarks;

/// <summary>
/// A short job (each operation takes a fraction of a second over megabytes of input, so a few
/// iterations already give a stable mean) plus the MB/s column.
/// </summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10));
        AddColumn(new ThroughputColumn());
    }
}

/// <summary>Input megabytes (10^6 bytes) processed per second of mean time.</summary>
public sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Input megabytes (10^6 bytes) decoded and validated per second";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        var meanNs = report?.ResultStatistics?.Mean;
        if (meanNs is not > 0) return "NA";
        var corpus = benchmarkCase.Parameters["Corpus"] as string ?? SightglassCorpus.All;
        var megabytes = SightglassCorpus.TotalBytes(corpus) / 1e6;
        return (megabytes / (meanNs.Value / 1e9)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
