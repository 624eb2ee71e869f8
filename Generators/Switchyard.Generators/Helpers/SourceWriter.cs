using System;
using System.Text;

namespace Switchyard.Generators.Helpers;

/// <summary>A small indenting text writer for generated C#; no templates, no syntax trees.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();

    public int Indentation { get; set; }

    public SourceWriter WriteLine(string line = "")
    {
        if (line.Length > 0)
        {
            _builder.Append(' ', Indentation * 4);
        }

        _builder.Append(line).Append('\n');
        return this;
    }

    public SourceWriter OpenBlock(string? line)
    {
        if (line is not null)
        {
            WriteLine(line);
        }

        WriteLine("{");
        Indentation++;
        return this;
    }

    public SourceWriter CloseBlock(string suffix = "")
    {
        Indentation--;
        WriteLine("}" + suffix);
        return this;
    }

    public IDisposable Block(string line)
    {
        OpenBlock(line);
        return new Closer(this);
    }

    public override string ToString() => _builder.ToString();

    private sealed class Closer(SourceWriter writer) : IDisposable
    {
        public void Dispose() => writer.CloseBlock();
    }
}
