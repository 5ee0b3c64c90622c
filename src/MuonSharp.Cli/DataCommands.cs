using System.CommandLine;
using System.Diagnostics;
using MuonSharp.Lab.Data;
using Spectre.Console;

namespace MuonSharp.Cli;

/// <summary>The <c>data</c> commands: list the datasets, fetch one into the cache.</summary>
internal static class DataCommands
{
    public static Command Build()
    {
        var data = new Command("data", $"Datasets: where they come from and whether they are cached ({DataEnvironment.CacheVariable}, {DataEnvironment.UserDirectoryVariable}, {DataEnvironment.OfflineVariable}).");
        data.Subcommands.Add(ListCommand());
        data.Subcommands.Add(FetchCommand());
        return data;
    }

    internal static Option<string?> DataDirectoryOption() =>
        new("--data-dir") { Description = $"Folder of your own dataset files, taking precedence over the cache (default ${DataEnvironment.UserDirectoryVariable})." };

    private static Command ListCommand()
    {
        var dataDirectory = DataDirectoryOption();
        var command = new Command("list", "Every dataset: source, your files, cached or not, size on disk, SHA-256 of what was fetched.") { dataDirectory };
        command.SetAction(parse => UserErrors.Guarded(() =>
        {
            var store = DatasetStore.FromEnvironment(parse.GetValue(dataDirectory));
            var datasets = store.Describe();
            var table = new Table().AddColumns("dataset", "kind", "source", "your files", "cached", "size");
            foreach (var d in datasets)
            {
                table.AddRow(
                    new Markup($"[bold]{Markup.Escape(d.Name)}[/]"),
                    new Text(d.Kind),
                    new Text(d.Source),
                    new Text(d.UserFiles ?? "—"),
                    new Markup(d.Cache switch { CacheStatus.Cached => "[green]yes[/]", CacheStatus.Corrupt => "[red]damaged[/]", _ => "no" }),
                    new Text(d.SizeOnDisk == 0 ? "—" : Size(d.SizeOnDisk)));
            }
            AnsiConsole.MarkupLine($"cache: [bold]{Markup.Escape(store.CacheDirectory)}[/]");
            AnsiConsole.Write(table);
            // Hashes below the table, as sha256sum prints them: 64 hexadecimal digits would wrap inside a cell.
            var fetched = datasets.SelectMany(d => d.Archives.Select(a => (d.Name, Archive: a))).ToArray();
            if (fetched.Length > 0) AnsiConsole.MarkupLine("SHA-256 of what was fetched:");
            foreach (var (dataset, archive) in fetched)
                AnsiConsole.MarkupLine($"{archive.Sha256}  {Markup.Escape(archive.Name)} ({Size(archive.Bytes)}, {Markup.Escape(dataset)})");
            return 0;
        }));
        return command;
    }

    private static Command FetchCommand()
    {
        var name = new Argument<string>("name") { Description = $"Dataset: {string.Join(", ", DatasetStore.Names)}." };
        var dataDirectory = DataDirectoryOption();
        var command = new Command("fetch", "Make a dataset available: your files, else the cache (verified), else download, check and cache it.") { name, dataDirectory };
        command.SetAction(parse => UserErrors.Guarded(() =>
        {
            var dataset = DatasetStore.KnownName(parse.GetValue(name)!);
            var store = DatasetStore.FromEnvironment(parse.GetValue(dataDirectory));
            store.Warn = message => AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");
            var clock = Stopwatch.StartNew();
            var summary = SpectreProgress.Run(progress =>
            {
                store.Progress = progress;
                return store.Fetch(dataset);
            });
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(summary.Name)}[/]: {Markup.Escape(summary.Origin)}");
            foreach (var split in summary.Splits)
                AnsiConsole.MarkupLine($"  {Markup.Escape(split.Split),-6} {split.Count,12:N0} {Markup.Escape(split.Unit)}");
            AnsiConsole.MarkupLine($"[grey]{clock.Elapsed.TotalSeconds:F1} s[/]");
            return 0;
        }));
        return command;
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F1} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):F1} KiB",
        _ => $"{bytes} B",
    };
}
