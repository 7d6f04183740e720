// The first thing Tab reaches: jumps past the top bar and the sidebar to the view itself. Hidden until focused.
export function SkipLink({ target }: { target: string }) {
  return (
    <a className="skip-link" href={`#${target}`}
      onClick={(e) => { e.preventDefault(); document.getElementById(target)?.focus(); }}>
      Skip to main content
    </a>
  );
}
