namespace MuonSharp.Lab.Experiments;

/// <summary>
/// Every experiment in this assembly: each concrete <see cref="IExperiment"/> with a public
/// parameterless constructor is found by reflection, so adding an experiment is adding its folder.
/// </summary>
public static class ExperimentRegistry
{
    private static readonly Lazy<IReadOnlyList<IExperiment>> Discovered = new(() =>
        typeof(ExperimentRegistry).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IExperiment).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IExperiment)Activator.CreateInstance(t)!)
            .OrderBy(e => e.Source, StringComparer.Ordinal).ThenBy(e => e.Id, StringComparer.Ordinal)
            .ToList());

    /// <summary>All experiments, ordered by paper then id.</summary>
    public static IReadOnlyList<IExperiment> All => Discovered.Value;

    /// <summary>The experiment with <paramref name="id"/>, or an error listing the known ids.</summary>
    /// <param name="id">An experiment id.</param>
    public static IExperiment Get(string id) =>
        All.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase))
        ?? throw new LabUserException($"Unknown experiment '{id}'. Known: {string.Join(", ", All.Select(e => e.Id))}.");
}

/// <summary>A mistake of the user (unknown id, bad override, unreadable file): shown as a message, never a stack trace.</summary>
public sealed class LabUserException : Exception
{
    /// <summary>Creates the error with a message that names the bad value and what is accepted.</summary>
    /// <param name="message">The message.</param>
    public LabUserException(string message) : base(message) { }
}
