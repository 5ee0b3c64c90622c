namespace MuonSharp.Lab.Training;

/// <summary>
/// What one run of one optimizer on one seed recorded: every evaluation's metrics (in the order the
/// evaluations happened) and the training loss of every step. Plain lists of numbers, so it survives the
/// JSON round trip every unit's result takes (NaN and ±∞ included).
/// </summary>
public sealed record Trajectory
{
    /// <summary>Optimizer name.</summary>
    public required string Optimizer { get; init; }

    /// <summary>Seed.</summary>
    public required int Seed { get; init; }

    /// <summary>The steps at which the run was evaluated (step t = the state after t updates).</summary>
    public List<long> EvaluationSteps { get; init; } = new();

    /// <summary>Each metric's values, one per evaluation that produced it, in evaluation order.</summary>
    public Dictionary<string, List<double>> Metrics { get; init; } = new();

    /// <summary>The training (mini-batch) loss of every update taken, step 0 first.</summary>
    public List<double> TrainingLoss { get; init; } = new();

    /// <summary>The step at which the training loss stopped being finite; the run ended there. Null when it never did.</summary>
    public long? DivergedAt { get; set; }

    /// <summary>
    /// Wall-clock seconds spent in updates: the mini-batch loss, backward, the callback, clipping, the
    /// optimizer's and the schedule's step (evaluations and checkpoints excluded). For throughput reports
    /// only — it depends on the machine and its load, so nothing is ever judged from it.
    /// </summary>
    public double UpdateSeconds { get; set; }

    /// <summary>Of <see cref="UpdateSeconds"/>, the seconds inside the optimizer's <c>step()</c>.</summary>
    public double OptimizerSeconds { get; set; }

    /// <summary>The run ended because its training loss stopped being finite.</summary>
    public bool Diverged => DivergedAt.HasValue;

    /// <summary>The values of <paramref name="metric"/>, one per evaluation (empty when never recorded).</summary>
    /// <param name="metric">A metric name (without the loop's prefix).</param>
    public IReadOnlyList<double> Series(string metric) => Metrics.TryGetValue(metric, out var values) ? values : Array.Empty<double>();

    /// <summary>The last evaluated value of <paramref name="metric"/>, NaN when never recorded.</summary>
    /// <param name="metric">A metric name.</param>
    public double Last(string metric) => Series(metric) is { Count: > 0 } values ? values[^1] : double.NaN;

    /// <summary>Appends one evaluation.</summary>
    /// <param name="step">Its step.</param>
    /// <param name="values">Its metrics, in recording order.</param>
    public void AddEvaluation(long step, IEnumerable<(string Metric, double Value)> values)
    {
        EvaluationSteps.Add(step);
        foreach (var (metric, value) in values)
        {
            if (!Metrics.TryGetValue(metric, out var series)) Metrics[metric] = series = new List<double>();
            series.Add(value);
        }
    }
}
