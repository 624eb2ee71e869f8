namespace Switchyard.Internal;

/// <summary>An item of an <see cref="IntrusiveList{T}"/>: it carries its own links, so joining and leaving allocate nothing.</summary>
/// <typeparam name="T">The item type.</typeparam>
internal interface IIntrusiveListNode<T>
    where T : class, IIntrusiveListNode<T>
{
    T? Next { get; set; }

    T? Previous { get; set; }

    bool InList { get; set; }
}

/// <summary>
/// A doubly linked list whose links live in its items: O(1) add and remove with no allocation, for sets that thousands
/// of items join and leave at once (the keep-alive heartbeat's connections, a layer's connection watchers). A multicast
/// event or a copied array costs O(n) per change instead. Not thread-safe: its owner holds one lock around every
/// change and every walk from <see cref="Head"/>.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class IntrusiveList<T>
    where T : class, IIntrusiveListNode<T>
{
    /// <summary>Gets the first item (walk on with <see cref="IIntrusiveListNode{T}.Next"/>), or null when empty.</summary>
    public T? Head { get; private set; }

    public void Add(T item)
    {
        item.Next = Head;
        item.Previous = null;
        if (Head is not null)
        {
            Head.Previous = item;
        }

        Head = item;
        item.InList = true;
    }

    /// <summary>Removes <paramref name="item"/>; nothing happens when it is not in the list.</summary>
    public void Remove(T item)
    {
        if (!item.InList)
        {
            return;
        }

        if (item.Previous is { } previous)
        {
            previous.Next = item.Next;
        }
        else
        {
            Head = item.Next;
        }

        if (item.Next is { } next)
        {
            next.Previous = item.Previous;
        }

        item.Next = null;
        item.Previous = null;
        item.InList = false;
    }
}
