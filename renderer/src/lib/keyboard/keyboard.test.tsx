// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Dialog } from '../../components/Dialog.js';
import { useGlobalShortcuts } from './shortcuts.js';
import { useRowNavigation, type RowNavigationOptions } from './row-navigation.js';

afterEach(cleanup);

function List({ names, ...options }: RowNavigationOptions & { names: string[] }) {
  const ref = useRowNavigation(options);
  return (
    <ul aria-label="Things" ref={ref}>
      {names.map((n) => <li key={n} data-row-key={n}>{n}<button>Edit {n}</button></li>)}
    </ul>
  );
}

const item = (name: string) => screen.getByText(name, { selector: 'li' });
const tabStops = () => screen.getAllByRole('listitem').filter((li) => li.tabIndex === 0).map((li) => li.dataset.rowKey);

describe('row navigation', () => {
  it('keeps one row in the Tab order and moves it with Up, Down, Home and End', () => {
    render(<List names={['a', 'b', 'c', 'd']} />);
    expect(tabStops()).toEqual(['a']);
    item('a').focus();
    fireEvent.keyDown(item('a'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(item('b'));
    fireEvent.keyDown(item('b'), { key: 'End' });
    expect(document.activeElement).toBe(item('d'));
    fireEvent.keyDown(item('d'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(item('d'));
    fireEvent.keyDown(item('d'), { key: 'ArrowUp' });
    expect(document.activeElement).toBe(item('c'));
    expect(tabStops()).toEqual(['c']);
    fireEvent.keyDown(item('c'), { key: 'Home' });
    expect(document.activeElement).toBe(item('a'));
  });

  it('opens, deletes and toggles the focused row, and leaves keys on buttons inside a row alone', () => {
    const onOpen = vi.fn(), onDelete = vi.fn(), onToggle = vi.fn();
    render(<List names={['a', 'b']} onOpen={onOpen} onDelete={onDelete} onToggle={onToggle} />);
    fireEvent.keyDown(item('b'), { key: 'Enter' });
    fireEvent.keyDown(item('b'), { key: 'Delete' });
    fireEvent.keyDown(item('a'), { key: ' ' });
    fireEvent.keyDown(screen.getByRole('button', { name: 'Edit a' }), { key: 'Enter' });
    expect([onOpen.mock.calls, onDelete.mock.calls, onToggle.mock.calls]).toEqual([[['b']], [['b']], [['a']]]);
  });

  it('follows focus into a row and keeps a Tab stop when rows come and go', () => {
    const { rerender } = render(<List names={['a', 'b', 'c']} />);
    fireEvent.focusIn(screen.getByRole('button', { name: 'Edit c' }));
    expect(tabStops()).toEqual(['c']);
    rerender(<List names={['a', 'b']} />);
    return vi.waitFor(() => expect(tabStops()).toEqual(['a']));
  });
});

function Opener({ nested }: { nested?: boolean }) {
  const [open, setOpen] = useState(0);
  return (
    <>
      <button onClick={() => setOpen(1)}>Open</button>
      {open > 0 && (
        <Dialog title="Outer" onClose={() => setOpen(0)} footer={<><button data-close onClick={() => setOpen(0)}>Cancel</button><button onClick={() => setOpen(2)}>More</button></>}>
          <input aria-label="Name" />
        </Dialog>
      )}
      {nested && open > 1 && <Dialog title="Inner" onClose={() => setOpen(1)}><button>Inner OK</button></Dialog>}
    </>
  );
}

describe('dialogs', () => {
  it('take focus, keep Tab inside, close on Escape and give focus back to the opener', () => {
    render(<Opener />);
    const opener = screen.getByRole('button', { name: 'Open' });
    opener.focus();
    fireEvent.click(opener);
    const name = screen.getByRole('textbox', { name: 'Name' });
    expect(document.activeElement).toBe(name);
    const last = screen.getByRole('button', { name: 'More' });
    last.focus();
    fireEvent.keyDown(last, { key: 'Tab' });
    expect(document.activeElement).toBe(name);
    fireEvent.keyDown(name, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last);
    fireEvent.keyDown(last, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('close one at a time with Escape, innermost first', () => {
    render(<Opener nested />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    const more = screen.getByRole('button', { name: 'More' });
    more.focus();
    fireEvent.click(more);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Inner OK' }));
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.getAllByRole('dialog').map((d) => d.getAttribute('aria-label'))).toEqual(['Outer']);
    expect(document.activeElement).toBe(more);
  });
});

function Shortcuts({ go }: { go(view: string): void }) {
  useGlobalShortcuts(go);
  return <main><input type="search" aria-label="Search things" /><List names={['a']} /><textarea aria-label="Notes" /></main>;
}

describe('global shortcuts', () => {
  it('"/" focuses the search box, Down goes on to the list, "g i" goes to Images; not while typing', () => {
    const go = vi.fn();
    render(<Shortcuts go={go} />);
    fireEvent.keyDown(document.body, { key: '/' });
    const search = screen.getByRole('searchbox', { name: 'Search things' });
    expect(document.activeElement).toBe(search);
    fireEvent.keyDown(search, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(item('a'));
    fireEvent.keyDown(item('a'), { key: 'g' });
    fireEvent.keyDown(item('a'), { key: 'i' });
    const notes = screen.getByRole('textbox', { name: 'Notes' });
    notes.focus();
    fireEvent.keyDown(notes, { key: 'g' });
    fireEvent.keyDown(notes, { key: 'c' });
    fireEvent.keyDown(notes, { key: '/' });
    expect(go.mock.calls).toEqual([['images']]);
    expect(document.activeElement).toBe(notes);
  });
});
