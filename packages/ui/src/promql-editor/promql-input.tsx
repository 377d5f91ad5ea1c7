import { useEffect, useRef, useState } from 'preact/hooks';
import { complete, type Completion } from './completions.ts';

export interface PromqlInputProps {
  value: string;
  onChange(value: string): void;
  /** Called on Enter (without Shift) when no completion list is open. */
  onRun(): void;
  /** Metric names for completion; may arrive after the first render. */
  metricNames: readonly string[];
  disabled?: boolean;
}

/**
 * A PromQL textarea: Enter runs, Shift+Enter inserts a newline. While typing
 * a name it lists matching metrics, functions and keywords; ↑/↓ move, Tab or
 * Enter accepts, Escape closes.
 */
export function PromqlInput({ value, onChange, onRun, metricNames }: PromqlInputProps) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [menu, setMenu] = useState<{ from: number; items: Completion[] }>({ from: 0, items: [] });
  const [selected, setSelected] = useState(0);

  // Grow with the expression, up to a limit, so long queries stay readable.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight + 2, 240)}px`;
  }, [value]);

  const refresh = (text: string, cursor: number) => {
    setMenu(complete(text, cursor, metricNames));
    setSelected(0);
  };
  const close = () => setMenu({ from: 0, items: [] });

  const accept = (c: Completion) => {
    const el = ref.current!;
    const cursor = el.selectionStart;
    const next = value.slice(0, menu.from) + c.label + value.slice(cursor);
    onChange(next);
    close();
    const pos = menu.from + c.label.length;
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(pos, pos);
    });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const open = menu.items.length > 0;
    if (open && e.key === 'ArrowDown') {
      e.preventDefault();
      setSelected((selected + 1) % menu.items.length);
    } else if (open && e.key === 'ArrowUp') {
      e.preventDefault();
      setSelected((selected - 1 + menu.items.length) % menu.items.length);
    } else if (open && (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey))) {
      e.preventDefault();
      accept(menu.items[selected]!);
    } else if (open && e.key === 'Escape') {
      e.preventDefault();
      close();
    } else if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      close();
      onRun();
    }
  };

  return (
    <div class="promql-input">
      <textarea
        ref={ref}
        class="expr"
        name="expr"
        rows={1}
        spellcheck={false}
        autocomplete="off"
        aria-label="PromQL expression"
        placeholder="Expression (Enter runs, Shift+Enter adds a line)"
        value={value}
        onInput={(e) => {
          const el = e.target as HTMLTextAreaElement;
          onChange(el.value);
          refresh(el.value, el.selectionStart);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(close, 150)}
      />
      {menu.items.length > 0 && (
        <ul class="completions" role="listbox">
          {menu.items.map((c, i) => (
            <li
              key={c.label}
              role="option"
              aria-selected={i === selected}
              class={i === selected ? 'selected' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(c);
              }}
            >
              <span class="name">{c.label}</span>
              <span class="detail">{c.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
